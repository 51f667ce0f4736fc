import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { THAW_WATCHDOG_COMMAND } from '../../src/consistency/index.js';
import { waitForLine } from '../support/wait.js';
import { CLI, runCli } from './run-cli.js';

const RECORDER = resolve(import.meta.dirname, 'record-imports.mjs');

describe('CLI entry and the thaw watchdog', () => {
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'selfsnap-entry-'));
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('starts a watchdog when given the hidden argument', async () => {
    const child = spawn(process.execPath, [CLI, THAW_WATCHDOG_COMMAND, '5000'], { stdio: 'pipe' });
    const exited = new Promise<number | null>((done) => child.once('exit', done));

    await waitForLine(child, /"type":"ready"/, 10_000);
    // With nothing frozen, closing the pipe leaves nothing to thaw, so the watchdog exits at once.
    child.stdin.end();

    expect(await exited).toBe(0);
  });

  it('loads no watchdog module for other commands', async () => {
    const logFile = join(folder, 'version.log');

    const result = await runCli(['--version'], {
      command: [process.execPath, '--import', RECORDER],
      env: { SELFSNAP_IMPORT_LOG: logFile },
    });

    expect(result.code).toBe(0);
    const urls = (await readFile(logFile, 'utf8')).trim().split('\n');
    expect(urls.filter((url) => /thaw-watchdog|node:child_process/.test(url))).toEqual([]);
  });
});
