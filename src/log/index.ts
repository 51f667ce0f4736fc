export { chooseLogFormat, createLogger, REDACTED_PATHS } from './logger.js';
export type { Logger, LoggerOptions } from './logger.js';
export { formatLine } from './pretty-stream.js';
