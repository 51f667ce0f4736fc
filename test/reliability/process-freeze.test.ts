import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect } from 'vitest';
import {
  freezeSupportGap,
  LoopMounts,
  removeFolder,
  timeWrite,
} from '../consistency/real-filesystems.js';
import { realSystemIt } from '../support/require-real-system.js';
import { fakeSysfsFor } from '../support/fake-sysfs.js';
import { SEEDED_DISK_IDS, snapshotsOfRun, startWorld, type CaseWorld } from './case-world.js';
import { DaemonUnderTest } from './daemon-under-test.js';
import { checkInvariants } from './invariants.js';
import { printMatrixSummary } from './matrix-summary.js';

const it = realSystemIt(freezeSupportGap());
const PRELOAD = resolve(import.meta.dirname, 'signal-at-step.mjs');
const FREEZE_TIMEOUT_MS = 2000;

describe('daemon stopped while a filesystem is frozen', () => {
  printMatrixSummary('process: frozen filesystems');
  let world: CaseWorld;
  let folder: string;
  let mounts: LoopMounts;
  let mountpoint: string;
  let sysfs: Record<string, string>;
  let daemon: DaemonUnderTest | undefined;

  beforeEach(async () => {
    world = await startWorld();
    folder = await mkdtemp(join(tmpdir(), 'selfsnap-freeze-'));
    mounts = new LoopMounts();
    mountpoint = await mounts.mount(join(folder, 'data.img'), join(folder, 'data'));
    sysfs = await fakeSysfsFor(join(folder, 'fake'), mountpoint, SEEDED_DISK_IDS[1]);
  });

  afterEach(async () => {
    daemon?.signal('SIGCONT');
    await daemon?.remove();
    daemon = undefined;
    await mounts.cleanUp();
    await removeFolder(folder);
    await world.emulator.close();
  });

  async function prepare(): Promise<DaemonUnderTest> {
    daemon = await DaemonUnderTest.prepare(world.emulator, {
      policies: {
        frozen: {
          disks: 'all',
          consistency: 'filesystem',
          freeze: [mountpoint],
          freezeTimeout: `${FREEZE_TIMEOUT_MS}ms`,
        },
      },
    });
    return daemon;
  }

  async function restartAndCheck(active: DaemonUnderTest, runId: string) {
    await active.start({ env: sysfs });
    const run = await active.waitForRun(runId);
    const violations = await checkInvariants({
      emulator: world.emulator,
      foreign: world.foreign,
      lines: active.lines,
      texts: active.responses,
      stateDir: active.stateDir,
      socketPath: active.socketPath,
      frozenMountpoints: [mountpoint],
    });
    return { run, violations };
  }

  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`thaws and finishes the run when sent ${signal} while frozen`, async () => {
      const active = await prepare();
      const env: Record<string, string> = { ...sysfs, SELFSNAP_TEST_CRASH_AT: 'quiesce-done' };
      if (signal === 'SIGTERM') env.SELFSNAP_TEST_SIGNAL = 'SIGTERM';
      await active.start({ env, preload: [PRELOAD] });
      const runId = await active.trigger('frozen').catch(() => undefined);

      const ended = await active.exit();
      expect(active.lines).toContain(
        'selfsnap: SELFSNAP_TEST_CRASH_AT=quiesce-done reached; killing the daemon',
      );
      expect(ended).toEqual(
        signal === 'SIGKILL' ? { code: null, signal: 'SIGKILL' } : { code: 0, signal: null },
      );
      // Within the deadline at most: the watchdog thaws once the daemon is gone.
      expect(await timeWrite(mountpoint, FREEZE_TIMEOUT_MS + 1000)).toBeDefined();

      const [journaled] = (await active.journaledRunIds()).concat(runId ?? []);
      const { run, violations } = await restartAndCheck(active, journaled as string);
      expect(run.status).toBe('succeeded');
      expect(snapshotsOfRun(world.emulator, run.id)).toHaveLength(3);
      expect(violations).toEqual([]);
    }, 60_000);
  }

  it('thaws at the deadline when the daemon hangs while frozen', async () => {
    const active = await prepare();
    await active.start({
      env: { ...sysfs, SELFSNAP_TEST_CRASH_AT: 'quiesce-done', SELFSNAP_TEST_SIGNAL: 'SIGSTOP' },
      preload: [PRELOAD],
    });
    const trigger = active.trigger('frozen');
    await new Promise((done) => setTimeout(done, 500));

    expect(await timeWrite(mountpoint, 300)).toBeUndefined();
    expect(await timeWrite(mountpoint, FREEZE_TIMEOUT_MS + 1500)).toBeDefined();

    active.signal('SIGCONT');
    const runId = await trigger;
    const run = await active.waitForRun(runId);
    expect(run.status).not.toBe('running');
    const violations = await checkInvariants({
      emulator: world.emulator,
      foreign: world.foreign,
      lines: active.lines,
      texts: active.responses,
      stateDir: active.stateDir,
      socketPath: active.socketPath,
      frozenMountpoints: [mountpoint],
    });
    expect(violations).toEqual([]);
  }, 60_000);
});
