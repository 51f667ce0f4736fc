import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect } from 'vitest';
import { realSystemIt } from '../support/require-real-system.js';
import { waitForLine, waitUntil } from '../support/wait.js';
import {
  freezeSupportGap,
  LoopMounts,
  removeFolder,
  startWriteProbe,
  timeWrite,
} from './real-filesystems.js';

const it = realSystemIt(freezeSupportGap());

const FREEZER = fileURLToPath(new URL('./freezer-process.ts', import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const BLOCKED_MS = 500;

interface Freezer {
  child: ChildProcess;
  watchdogPid: number;
  /** Everything the freezer and its watchdog wrote to stderr, for failure messages. */
  stderr: () => string;
}

/** Starts the stand-in daemon in its own process group and waits until it has frozen. */
async function startFreezer(timeoutMs: number, mountpoints: string[]): Promise<Freezer> {
  const child = spawn(
    process.execPath,
    ['--import', TSX_LOADER, FREEZER, String(timeoutMs), ...mountpoints],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const line = await waitForLine(child, /"frozen"/, 20_000);
  const report = JSON.parse(line) as { frozen: string[]; watchdogPid: number };
  expect(report.frozen).toEqual(mountpoints);
  return { child, watchdogPid: report.watchdogPid, stderr: () => stderr };
}

/** Waits until the watchdog has logged a line containing every fragment; it logs after a thaw. */
async function waitForLog(freezer: Freezer, ...fragments: string[]): Promise<void> {
  const probe = async () => {
    const logged = freezer.stderr().split('\n');
    return logged.some((line) => fragments.every((fragment) => line.includes(fragment)))
      ? true
      : undefined;
  };
  await waitUntil(probe, 5000, `a watchdog log line with ${fragments.join(' and ')}`, 50);
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  try {
    if (pid !== undefined) process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('thaw watchdog', () => {
  let folder: string;
  let mounts: LoopMounts;
  let freezer: Freezer | undefined;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'selfsnap-watchdog-'));
    mounts = new LoopMounts();
    freezer = undefined;
  });
  afterEach(async () => {
    signalGroup(freezer?.child.pid, 'SIGCONT');
    signalGroup(freezer?.child.pid, 'SIGKILL');
    if (freezer !== undefined && isRunning(freezer.watchdogPid)) {
      process.kill(freezer.watchdogPid, 'SIGTERM');
    }
    await mounts.cleanUp();
    await removeFolder(folder);
  });

  it('thaws at once when the freezing process is SIGKILLed', async () => {
    const data = await mounts.mount(join(folder, 'data.img'), join(folder, 'data'));
    const timeoutMs = 10_000;
    freezer = await startFreezer(timeoutMs, [data]);
    expect(await timeWrite(data, BLOCKED_MS)).toBeUndefined();

    // Kills the freezer's whole process group: the watchdog runs in a session of its own.
    signalGroup(freezer.child.pid, 'SIGKILL');
    const writtenAfterMs = await timeWrite(data, timeoutMs + 1000);

    expect(writtenAfterMs, freezer.stderr()).toBeDefined();
    expect(writtenAfterMs).toBeLessThan(2000);
    await waitForLog(freezer, '"msg":"filesystem thawed"', '"reason":"daemon closed the pipe"');
  });

  it('thaws nested mounts when the freezing process dies', async () => {
    const parent = await mounts.mount(join(folder, 'parent.img'), join(folder, 'parent'));
    const child = await mounts.mount(join(parent, 'child.img'), join(parent, 'child'), 16);
    freezer = await startFreezer(10_000, [child, parent]);
    expect(await timeWrite(child, BLOCKED_MS)).toBeUndefined();

    signalGroup(freezer.child.pid, 'SIGKILL');

    expect(await timeWrite(parent, 3000), freezer.stderr()).toBeDefined();
    expect(await timeWrite(child, 3000), freezer.stderr()).toBeDefined();
  });

  it('thaws at the deadline when the freezing process hangs', async () => {
    const data = await mounts.mount(join(folder, 'data.img'), join(folder, 'data'));
    const timeoutMs = 3000;
    freezer = await startFreezer(timeoutMs, [data]);
    const frozenAt = performance.now();
    signalGroup(freezer.child.pid, 'SIGSTOP');

    const probe = startWriteProbe(data);
    await probe.finished;
    const thawedAfterMs = performance.now() - frozenAt;

    // The deadline runs from the watchdog's start, shortly before the freeze.
    expect(thawedAfterMs, freezer.stderr()).toBeGreaterThan(timeoutMs - 1000);
    expect(thawedAfterMs).toBeLessThan(timeoutMs + 1000);
    await waitForLog(freezer, '"msg":"filesystem thawed"', '"reason":"deadline"');
  });

  it('thaws at once when the watchdog gets SIGTERM', async () => {
    const data = await mounts.mount(join(folder, 'data.img'), join(folder, 'data'));
    freezer = await startFreezer(10_000, [data]);
    signalGroup(freezer.child.pid, 'SIGSTOP');

    process.kill(freezer.watchdogPid, 'SIGTERM');

    expect(await timeWrite(data, 2000), freezer.stderr()).toBeDefined();
    await waitForLog(freezer, '"msg":"filesystem thawed"', '"reason":"signal SIGTERM"');
  });
});
