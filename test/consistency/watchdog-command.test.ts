import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  resolveWatchdogCommand,
  runThawWatchdogIfRequested,
  THAW_WATCHDOG_COMMAND,
} from '../../src/consistency/index.js';
import { waitForLine } from '../support/wait.js';

// `npm test` builds dist/ before it runs the tests; the daemon runs from there.
const COMPILED_MODULE = resolve(import.meta.dirname, '../../dist/consistency/watchdog-process.js');
const COMPILED_INDEX = pathToFileURL(
  resolve(import.meta.dirname, '../../dist/consistency/index.js'),
);
// What a bundled CLI entry does first: run as the watchdog when asked, else exit 9 here.
const ENTRY_CODE = `import { runThawWatchdogIfRequested } from '${COMPILED_INDEX.href}';
if (!runThawWatchdogIfRequested()) process.exit(9);`;

/** Starts a watchdog through `args`, checks that it is armed, then lets it exit by closing stdin. */
async function expectWatchdog(args: string[]): Promise<void> {
  const child = spawn(process.execPath, args, { stdio: 'pipe' });
  const exited = new Promise<number | null>((done) => child.once('exit', done));

  await waitForLine(child, /"type":"ready"/, 10_000);
  child.stdin.end();

  expect(await exited).toBe(0);
}

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
    // With nothing announced, closing the pipe leaves nothing to thaw, so it exits at once.
    await expectWatchdog([...command.args, '5000']);
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

  it('uses the hidden command when running from a bundle', async () => {
    const command = resolveWatchdogCommand('file:///opt/selfsnap/lib/selfsnap.cjs');

    expect(command).toEqual({
      file: process.execPath,
      args: [process.argv[1], THAW_WATCHDOG_COMMAND],
    });
  });
});

describe('runThawWatchdogIfRequested', () => {
  it('returns false when the hidden command is absent', async () => {
    expect(runThawWatchdogIfRequested(['/usr/bin/node', '/opt/selfsnap.cjs', 'daemon'])).toBe(
      false,
    );
  });

  it('runs the watchdog when the hidden command follows the script', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'selfsnap-entry-'));
    try {
      const entry = join(folder, 'entry.mjs');
      await writeFile(entry, ENTRY_CODE);
      await expectWatchdog([entry, THAW_WATCHDOG_COMMAND, '5000']);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('runs the watchdog when the hidden command follows the executable', async () => {
    // `node --input-type=module -e CODE ARGS` has no script path, like a single executable.
    await expectWatchdog(['--input-type=module', '-e', ENTRY_CODE, THAW_WATCHDOG_COMMAND, '5000']);
  });
});
