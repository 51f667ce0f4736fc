import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveWatchdogCommand } from '../../src/consistency/index.js';
import { waitForLine } from '../support/wait.js';

// `npm test` builds dist/ before it runs the tests; the daemon runs from there.
const COMPILED_MODULE = resolve(import.meta.dirname, '../../dist/consistency/watchdog-process.js');

describe('resolveWatchdogCommand', () => {
  it('points at the compiled entry when running from dist', async () => {
    const command = resolveWatchdogCommand(pathToFileURL(COMPILED_MODULE).href);

    const entry = resolve(import.meta.dirname, '../../dist/consistency/thaw-watchdog-main.js');
    expect(command).toEqual({ file: process.execPath, args: [entry] });
    expect(existsSync(entry), 'run npm run build first').toBe(true);
  });

  it('uses the tsx loader when running from source', async () => {
    const command = resolveWatchdogCommand();

    expect(command.args[0]).toBe('--import');
    expect(command.args[1]).toMatch(/^file:.*\/tsx\/dist\/loader\.mjs$/);
    expect(command.args[2]).toMatch(/src\/consistency\/thaw-watchdog-main\.ts$/);
  });

  it('starts the compiled watchdog when its pipe opens', async () => {
    const command = resolveWatchdogCommand(pathToFileURL(COMPILED_MODULE).href);
    const child = spawn(command.file, [...command.args, '5000'], { stdio: 'pipe' });
    const exited = new Promise<number | null>((done) => child.once('exit', done));

    await waitForLine(child, /"type":"ready"/, 10_000);
    // With nothing announced, closing the pipe leaves nothing to thaw, so it exits at once.
    child.stdin.end();

    expect(await exited).toBe(0);
  });

  it('exits with code 2 when the deadline is invalid', async () => {
    const command = resolveWatchdogCommand(pathToFileURL(COMPILED_MODULE).href);
    const child = spawn(command.file, [...command.args, 'soon'], { stdio: 'pipe' });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

    const code = await new Promise<number | null>((done) => child.once('exit', done));

    expect(code).toBe(2);
    expect(stderr).toContain('invalid deadline');
  });
});
