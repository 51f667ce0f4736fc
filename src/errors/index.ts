export { SelfsnapError, toSelfsnapError } from './selfsnap-error.js';
export type { ErrorCode, ErrorDetails } from './selfsnap-error.js';
