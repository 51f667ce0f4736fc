/** An ECS API error: the `Code`, the HTTP status and the `Message` the body carries. */
export class ApiError extends Error {
  readonly code: string;
  readonly httpStatus: number;

  constructor(httpStatus: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.httpStatus = httpStatus;
  }
}

/** Body of an ECS error response. */
export interface ErrorBody {
  RequestId: string;
  HostId: string;
  Code: string;
  Message: string;
  Recommend: string;
}

/** Builds the error body the real API returns, with a troubleshooting link like the real one. */
export function buildErrorBody(error: ApiError, requestId: string, hostId: string): ErrorBody {
  const query = new URLSearchParams({ q: error.code, product: 'Ecs', requestId });
  return {
    RequestId: requestId,
    HostId: hostId,
    Code: error.code,
    Message: error.message,
    Recommend: `https://api.aliyun.com/troubleshoot?${query.toString()}`,
  };
}

/** Returns a 400 `Missing<Name>` error for a required parameter that the request lacks. */
export function missingParameter(name: string): ApiError {
  return new ApiError(
    400,
    `Missing${name}`,
    `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
  );
}

/** Returns a 400 `InvalidParameter` error that names the parameter and the accepted values. */
export function invalidParameter(name: string, expected: string): ApiError {
  return new ApiError(
    400,
    'InvalidParameter',
    `The specified parameter "${name}" is not valid: ${expected}.`,
  );
}
