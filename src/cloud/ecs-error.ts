import { SelfsnapError, type ErrorCode } from '../errors/index.js';

interface SdkErrorFields {
  code?: unknown;
  statusCode?: unknown;
  requestId?: unknown;
  message?: unknown;
  data?: unknown;
}

// Codes a client may retry with the same ClientToken (transient on the cloud side).
const RETRYABLE_CODES = new Set([
  'InternalError',
  'ServiceUnavailable',
  'Operation.Conflict',
  'OperationConflict',
  'IdempotentProcessing',
]);
// Codes that mean the credential set itself was rejected; one refresh may cure them.
const AUTH_CODES = [
  'InvalidSecurityToken',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'InvalidTimeStamp',
  'SignatureNonceUsed',
];
// Codes that mean this disk cannot be snapshotted now; other disks of the run are not affected.
const DISK_STATE_CODES = [
  'IncorrectDiskStatus',
  'IncorrectInstanceStatus',
  'DiskInArrears',
  'DiskCategory.OperationNotSupported',
  'InstanceLockedForSecurity',
];

/** Converts an error from openapi-core (or the network under it) into a SelfsnapError. */
export function toEcsError(action: string, error: unknown): SelfsnapError {
  if (error instanceof SelfsnapError) return error;
  const fields = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorFields;
  const ecsCode = typeof fields.code === 'string' ? fields.code : undefined;
  const httpStatus = typeof fields.statusCode === 'number' ? fields.statusCode : undefined;
  const requestId = typeof fields.requestId === 'string' ? fields.requestId : undefined;

  if (ecsCode === undefined || httpStatus === undefined) {
    const reason = error instanceof Error ? error.message : String(error);
    return new SelfsnapError('ECS_REQUEST_FAILED', `${action} got no answer: ${reason}`, {
      retryable: true,
      cause: error,
    });
  }

  const code = classify(ecsCode);
  const retryable = code === 'ECS_THROTTLED' || httpStatus >= 500 || RETRYABLE_CODES.has(ecsCode);
  const detail = describeSdkMessage(fields.message, ecsCode);
  return new SelfsnapError(code, `${action} failed with ${ecsCode}: ${detail}`, {
    retryable,
    ecsCode,
    requestId,
    httpStatus,
    cause: error,
  });
}

function classify(ecsCode: string): ErrorCode {
  if (ecsCode.includes('Throttling')) return 'ECS_THROTTLED';
  if (ecsCode.startsWith('Forbidden')) return 'ECS_FORBIDDEN';
  if (AUTH_CODES.some((prefix) => ecsCode.startsWith(prefix))) return 'ECS_AUTH_FAILED';
  if (ecsCode === 'InvalidDiskId.NotFound') return 'DISK_NOT_FOUND';
  if (ecsCode.startsWith('QuotaExceed')) return 'SNAPSHOT_QUOTA_EXCEEDED';
  if (DISK_STATE_CODES.some((prefix) => ecsCode.startsWith(prefix))) return 'DISK_STATE_INVALID';
  return 'ECS_REQUEST_FAILED';
}

/** Tells whether an error concerns one disk only, so a run skips that disk and goes on. */
export function isDiskScopedError(error: SelfsnapError): boolean {
  return (
    error.code === 'DISK_NOT_FOUND' ||
    error.code === 'DISK_STATE_INVALID' ||
    error.code === 'SNAPSHOT_QUOTA_EXCEEDED'
  );
}

// openapi-core prefixes its message with "code: 400, <Message> request id: ..."; keep the middle.
function describeSdkMessage(message: unknown, ecsCode: string): string {
  if (typeof message !== 'string') return ecsCode;
  const match = /^code: \d+, (.*?)(?: request id: .*)?$/s.exec(message);
  return (match?.[1] ?? message).trim();
}
