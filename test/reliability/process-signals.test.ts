import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, it } from 'vitest';
import type { JournalStep } from '../../src/snapshot/index.js';
import { SeededRandom, seedFromEnv } from '../support/seeded-random.js';
import { waitUntil } from '../support/wait.js';
import { snapshotsOfRun, startWorld, type CaseWorld } from './case-world.js';
import { DaemonUnderTest } from './daemon-under-test.js';
import { checkInvariants } from './invariants.js';
import { printMatrixSummary } from './matrix-summary.js';

const PRELOAD = resolve(import.meta.dirname, 'signal-at-step.mjs');
const POLICIES = { crashy: { disks: 'all' }, grouped: { disks: 'all', consistency: 'group' } };

// The steps a per-disk run and a snapshot-group run pass through. The quiesce steps need a freeze
// or pre hooks (process-freeze.test.ts stops the daemon at quiesce-done), and run-parked needs a
// wait of at least a minute.
const PER_DISK_STEPS: JournalStep[] = [
  'run-planned',
  'disk-creating',
  'create-returned',
  'disk-created',
  'run-accepted',
  'run-progress',
  'run-finished',
];
const GROUP_STEPS: JournalStep[] = ['group-creating', 'group-create-returned', 'group-created'];

interface StepCase {
  signal: 'SIGKILL' | 'SIGTERM';
  step: JournalStep;
  policy: string;
}

const STEP_CASES: StepCase[] = (['SIGTERM', 'SIGKILL'] as const).flatMap((signal) => [
  ...PER_DISK_STEPS.map((step) => ({ signal, step, policy: 'crashy' })),
  ...GROUP_STEPS.map((step) => ({ signal, step, policy: 'grouped' })),
]);

/** Runs a case against a fresh emulator and daemon, removing both afterwards. */
async function withDaemon(
  body: (world: CaseWorld, daemon: DaemonUnderTest) => Promise<void>,
): Promise<void> {
  const world = await startWorld();
  const daemon = await DaemonUnderTest.prepare(world.emulator, { policies: POLICIES });
  try {
    await body(world, daemon);
  } finally {
    await daemon.remove();
    await world.emulator.close();
  }
}

/** Restarts the daemon, waits for the run to end and returns the violations of the invariants. */
async function restartAndCheck(world: CaseWorld, daemon: DaemonUnderTest, runId: string) {
  await daemon.start();
  const run = await daemon.waitForRun(runId);
  const violations = await checkInvariants({
    emulator: world.emulator,
    foreign: world.foreign,
    lines: daemon.lines,
    texts: daemon.responses,
    stateDir: daemon.stateDir,
    socketPath: daemon.socketPath,
  });
  return { run, violations };
}

describe('daemon signalled at a journal step', () => {
  printMatrixSummary('process: signals at journal steps');

  it.concurrent.for(STEP_CASES)(
    'finishes the $policy run once when sent $signal at $step',
    { timeout: 60_000 },
    async ({ signal, step, policy }, { expect }) => {
      await withDaemon(async (world, daemon) => {
        const env: Record<string, string> = { SELFSNAP_TEST_CRASH_AT: step };
        if (signal === 'SIGTERM') env.SELFSNAP_TEST_SIGNAL = 'SIGTERM';
        await daemon.start({ env, preload: [PRELOAD] });
        // The response is lost when the signal comes before the daemon sends it.
        await daemon.trigger(policy).catch(() => undefined);

        const ended = await daemon.exit();
        expect(daemon.lines).toContain(
          `selfsnap: SELFSNAP_TEST_CRASH_AT=${step} reached; killing the daemon`,
        );
        expect(ended).toEqual(
          signal === 'SIGKILL' ? { code: null, signal: 'SIGKILL' } : { code: 0, signal: null },
        );
        const [runId, ...others] = await daemon.journaledRunIds();
        expect(others).toEqual([]);

        const { run, violations } = await restartAndCheck(world, daemon, runId as string);
        expect(run.status).toBe('succeeded');
        expect(snapshotsOfRun(world.emulator, run.id)).toHaveLength(3);
        expect(violations).toEqual([]);
      });
    },
  );

  it('records the failed disk once when killed at disk-failed', async ({ expect }) => {
    await withDaemon(async (world, daemon) => {
      world.emulator.control.injectError({
        action: 'CreateSnapshot',
        code: 'IncorrectDiskStatus',
        httpStatus: 403,
        count: 1,
        diskId: 'd-bp1selfsnap0dat00002',
      });
      await daemon.start({ env: { SELFSNAP_TEST_CRASH_AT: 'disk-failed' } });
      await daemon.trigger('crashy').catch(() => undefined);
      expect((await daemon.exit()).signal).toBe('SIGKILL');
      const [runId] = await daemon.journaledRunIds();

      const { run, violations } = await restartAndCheck(world, daemon, runId as string);
      expect(run.status).toBe('partial');
      expect(snapshotsOfRun(world.emulator, run.id)).toHaveLength(2);
      expect(violations).toEqual([]);
    });
  }, 60_000);

  it('finishes the run when killed while stopping at run-interrupted', async ({ expect }) => {
    await withDaemon(async (world, daemon) => {
      world.emulator.control.injectLatency({ action: 'CreateSnapshot', latencyMs: 800, count: 3 });
      await daemon.start({ env: { SELFSNAP_TEST_CRASH_AT: 'run-interrupted' } });
      const runId = await daemon.trigger('crashy');
      await waitUntil(
        async () =>
          world.emulator.control.requests({ action: 'CreateSnapshot' }).length === 3 || undefined,
        5000,
        'three creates in flight',
        20,
      );

      expect((await daemon.stop('SIGTERM')).signal).toBe('SIGKILL');

      const { run, violations } = await restartAndCheck(world, daemon, runId);
      expect(run.status).toBe('succeeded');
      expect(snapshotsOfRun(world.emulator, run.id)).toHaveLength(3);
      expect(violations).toEqual([]);
    });
  }, 60_000);
});

describe('machine rebooted in the middle of a run', () => {
  printMatrixSummary('process: reboots');
  const random = new SeededRandom(seedFromEnv(20_261_204));
  // Kill times spread over planning, creating and waiting (the first poll comes after 2 s).
  const delays = [random.int(0, 150), random.int(150, 700), random.int(700, 2500)];

  it.concurrent.for(delays)(
    'finishes the run once when the machine goes down %i ms after the trigger',
    { timeout: 60_000 },
    async (delayMs, { expect }) => {
      await withDaemon(async (world, daemon) => {
        await daemon.start();
        const runId = await daemon.trigger('crashy');
        await new Promise((done) => setTimeout(done, delayMs));

        await daemon.stop('SIGKILL');
        // A reboot empties /run, and the cloud goes on while the machine is down.
        await rm(daemon.socketPath, { force: true });
        world.emulator.control.advanceClock(10 * 60_000);

        const { run, violations } = await restartAndCheck(world, daemon, runId);
        expect(run.status).toBe('succeeded');
        expect(snapshotsOfRun(world.emulator, runId)).toHaveLength(3);
        expect(violations).toEqual([]);
      });
    },
  );
});
