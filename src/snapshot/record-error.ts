import { toSelfsnapError } from '../errors/index.js';
import type { RecordedError } from './run-record.js';

/** Turns any error into the shape a run record stores. */
export function recordError(error: unknown): RecordedError {
  const wrapped = toSelfsnapError(error);
  return {
    code: wrapped.code,
    message: wrapped.message,
    ...(wrapped.ecsCode === undefined ? {} : { ecsCode: wrapped.ecsCode }),
    ...(wrapped.requestId === undefined ? {} : { requestId: wrapped.requestId }),
  };
}
