import { pino, type Logger, type LevelWithSilent } from 'pino';
import { createPrettyStream } from './pretty-stream.js';

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
  /** `pretty` prints one readable line per record, for a person at a terminal; default `json`. */
  format?: 'json' | 'pretty';
}

/** Creates the JSON logger every component takes a child of. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? process.stdout;
  return pino(
    {
      base: { service: 'selfsnap' },
      level: options.level ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.format === 'pretty'
      ? createPrettyStream(destination, isTerminal(destination))
      : destination,
  );
}

/** Picks pretty output only when a person watches: stdout is a terminal and JSON was not asked for. */
export function chooseLogFormat(forceJson: boolean): 'json' | 'pretty' {
  return !forceJson && process.stdout.isTTY === true ? 'pretty' : 'json';
}

function isTerminal(stream: NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}
