import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect } from 'vitest';
import { THAW_WATCHDOG_COMMAND } from '../../src/consistency/index.js';
import { freezeSupportGap, timeWrite } from '../consistency/real-filesystems.js';
import { realSystemIt } from '../support/require-real-system.js';
import { waitUntil } from '../support/wait.js';
import { ConsistencyWorld, DAEMON_COMMANDS } from './consistency-world.js';

const it = realSystemIt(freezeSupportGap());
const FREEZE_TIMEOUT_MS = 5000;

/** Reads a process's arguments from /proc, or undefined once it has exited. */
async function commandLineOf(pid: number): Promise<string[] | undefined> {
  const text = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  return text?.split('\0').filter((argument) => argument !== '');
}

describe('release files starting the thaw watchdog', () => {
  let world: ConsistencyWorld | undefined;

  beforeAll(() => {
    if (freezeSupportGap() !== undefined) return;
    // The bundle and the single executable are what install.sh ships; build them from this tree.
    const repo = resolve(import.meta.dirname, '../..');
    execFileSync('npm', ['run', '--silent', 'build:release'], { cwd: repo, stdio: 'pipe' });
  }, 120_000);

  beforeEach(async () => {
    if (freezeSupportGap() === undefined) world = await ConsistencyWorld.create();
  }, 30_000);

  afterEach(async () => {
    await world?.cleanUp();
    world = undefined;
  }, 30_000);

  const releases = [
    ['bundle', DAEMON_COMMANDS.bundle],
    ['executable', DAEMON_COMMANDS.executable],
  ] as const;
  for (const [name, command] of releases) {
    it(`thaws through the ${name} watchdog when the daemon dies`, async () => {
      const active = world as ConsistencyWorld;
      const policies = {
        fs: {
          disks: { mountpoints: [active.mountpoint] },
          consistency: 'filesystem',
          freeze: [active.mountpoint],
          freezeTimeout: `${FREEZE_TIMEOUT_MS}ms`,
        },
      };
      const daemon = await active.startDaemon(policies, [...command]);
      active.emulator.control.injectLatency({
        action: 'CreateSnapshot',
        latencyMs: 3000,
        count: 1,
      });

      await daemon.trigger('fs', 'none');
      await daemon.waitForLog('filesystems frozen');
      const watchdogPid = (await daemon.waitForLog('watchdog armed')).watchdogPid as number;
      const watchdogCommand = await commandLineOf(watchdogPid);
      const blocked = await timeWrite(active.mountpoint, 400);
      await daemon.kill('SIGKILL');
      const writeMs = await timeWrite(active.mountpoint, FREEZE_TIMEOUT_MS + 1000);

      // The daemon starts its own program again: node with the bundle, or the executable alone.
      expect(watchdogCommand).toEqual([...command, THAW_WATCHDOG_COMMAND, `${FREEZE_TIMEOUT_MS}`]);
      expect(blocked, 'a write went through while the filesystem was frozen').toBeUndefined();
      expect(writeMs, 'still frozen after freezeTimeout plus 1 s').toBeDefined();
      await waitUntil(
        async () => ((await commandLineOf(watchdogPid)) === undefined ? true : undefined),
        5000,
        'the watchdog to exit',
      );
    }, 60_000);
  }
});
