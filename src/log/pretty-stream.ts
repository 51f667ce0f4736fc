import { Writable } from 'node:stream';

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};
const LEVEL_COLORS: Record<number, string> = { 20: '\x1b[90m', 40: '\x1b[33m', 50: '\x1b[31m' };
const RESET = '\x1b[0m';
// Fields every line has or that the layout already shows.
const SHOWN_ELSEWHERE = new Set([
  'level',
  'time',
  'msg',
  'service',
  'pid',
  'hostname',
  'component',
]);

/**
 * Creates a stream that turns pino's JSON lines into one short line each for a person at a
 * terminal: time, level, component, message, then the other fields as key=value.
 */
export function createPrettyStream(output: NodeJS.WritableStream, color: boolean): Writable {
  let partial = '';
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line !== '') output.write(`${formatLine(line, color)}\n`);
      done();
    },
  });
}

/** Formats one pino JSON line; a line that is not JSON is passed through as it is. */
export function formatLine(line: string, color: boolean): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = Number(record.level);
  const time = typeof record.time === 'string' ? record.time.slice(11, 23) : '';
  const component = typeof record.component === 'string' ? `[${record.component}] ` : '';
  const fields = Object.entries(record)
    .filter(([key]) => !SHOWN_ELSEWHERE.has(key))
    .map(([key, value]) => `${key}=${formatValue(value)}`)
    .join(' ');
  const levelName = LEVEL_NAMES[level] ?? String(record.level);
  const paint = color ? (LEVEL_COLORS[level] ?? '') : '';
  const head = `${time} ${paint}${levelName}${paint === '' ? '' : RESET} ${component}`;
  return `${head}${String(record.msg ?? '')}${fields === '' ? '' : `  ${fields}`}`;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  if (typeof value === 'object' && value !== null && 'message' in value) {
    const error = value as { code?: unknown; message?: unknown };
    return JSON.stringify(
      error.code === undefined ? error.message : `${String(error.code)}: ${String(error.message)}`,
    );
  }
  return JSON.stringify(value);
}
