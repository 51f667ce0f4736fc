import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log/index.js';

/** Creates a logger whose NDJSON lines are parsed into `lines`. */
export function captureLogs(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), lines };
}

/** Makes a temp folder owned by root with mode 0700, as mkdtemp creates it. */
export function makeHookFolder(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'selfsnap-hooks-'));
}

/** Writes a /bin/sh hook script and sets its mode; returns its path. */
export async function writeHook(
  folder: string,
  name: string,
  body: string,
  mode = 0o755,
): Promise<string> {
  const path = join(folder, name);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, mode);
  return path;
}

/** Reads the lines a hook appended to a marker file; empty when the hook never ran. */
export async function readMarker(path: string): Promise<string[]> {
  try {
    return (await readFile(path, 'utf8')).split('\n').filter((line) => line !== '');
  } catch {
    return [];
  }
}

/** The run every hook test describes. */
export const RUN = {
  policy: 'nightly',
  trigger: 'manual',
  reason: 'before upgrade',
  runId: 'r-20261204-abc',
  diskIds: ['d-disk1', 'd-disk2'],
};
