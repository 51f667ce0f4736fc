import { pino, type Logger, type LevelWithSilent } from 'pino';

/** Paths pino blanks out in every line, so a credential can never reach the journal. */
export const REDACTED_PATHS = [
  'accessKeySecret',
  'securityToken',
  'AccessKeySecret',
  'SecurityToken',
  '*.accessKeySecret',
  '*.securityToken',
  '*.AccessKeySecret',
  '*.SecurityToken',
  'headers["x-acs-security-token"]',
  'headers.authorization',
  '*.headers["x-acs-security-token"]',
  '*.headers.authorization',
];

export type { Logger };

/** Options for the process logger; `destination` defaults to stdout, which journald collects. */
export interface LoggerOptions {
  level?: LevelWithSilent;
  destination?: NodeJS.WritableStream;
}

/** Creates the JSON logger every component takes a child of. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      base: { service: 'selfsnap' },
      level: options.level ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? process.stdout,
  );
}
