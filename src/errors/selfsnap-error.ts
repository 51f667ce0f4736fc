/** Stable error codes that the CLI maps to exit codes and the socket returns as they are. */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_NOT_FOUND'
  | 'METADATA_UNAVAILABLE'
  | 'CREDENTIALS_UNAVAILABLE'
  | 'ECS_REQUEST_FAILED'
  | 'ECS_THROTTLED'
  | 'ECS_AUTH_FAILED'
  | 'ECS_FORBIDDEN'
  | 'DISK_NOT_FOUND'
  | 'DISK_STATE_INVALID'
  | 'MOUNTPOINT_UNRESOLVED'
  | 'SNAPSHOT_QUOTA_EXCEEDED'
  | 'STATE_UNREADABLE'
  | 'SOCKET_IN_USE'
  | 'DAEMON_UNREACHABLE'
  | 'SOCKET_PERMISSION_DENIED'
  | 'REQUEST_INVALID'
  | 'METHOD_NOT_ALLOWED'
  | 'PAYLOAD_TOO_LARGE'
  | 'NOT_READY'
  | 'NOT_FOUND'
  | 'TIMEOUT'
  | 'RUN_FAILED'
  | 'RUN_PARTIAL'
  | 'HOOK_UNSAFE'
  | 'HOOK_FAILED'
  | 'FREEZE_REFUSED'
  | 'FREEZE_FAILED'
  | 'INTERNAL';

/** Details an error may carry; `ecsCode` and `requestId` come from the ECS error body. */
export interface ErrorDetails {
  retryable?: boolean;
  cause?: unknown;
  ecsCode?: string;
  requestId?: string;
  httpStatus?: number;
}

/** The one error type selfsnap throws on purpose: a stable `code`, a `retryable` flag and a `cause`. */
export class SelfsnapError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly ecsCode?: string;
  readonly requestId?: string;
  readonly httpStatus?: number;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'SelfsnapError';
    this.code = code;
    this.retryable = details.retryable ?? false;
    this.ecsCode = details.ecsCode;
    this.requestId = details.requestId;
    this.httpStatus = details.httpStatus;
  }

  /** Returns the fields a run record, a log line or a socket answer carries. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.ecsCode === undefined ? {} : { ecsCode: this.ecsCode }),
      ...(this.requestId === undefined ? {} : { requestId: this.requestId }),
    };
  }
}

/** Wraps anything thrown into a SelfsnapError, keeping one that already is. */
export function toSelfsnapError(error: unknown, fallback: ErrorCode = 'INTERNAL'): SelfsnapError {
  if (error instanceof SelfsnapError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SelfsnapError(fallback, message, { cause: error });
}
