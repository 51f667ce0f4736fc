import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JournalStep, RunRecord } from '../../src/snapshot/index.js';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { waitUntil } from '../support/wait.js';
import { DaemonProcess } from './daemon-process.js';

const POLICIES = {
  crashy: { disks: 'all' },
  grouped: { disks: 'all', consistency: 'group' },
};

// Steps every per-disk run reaches; the group steps replace the disk-creating ones.
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

describe('daemon killed at a journal step', () => {
  let emulator: Emulator;
  let daemon: DaemonProcess | undefined;

  beforeAll(async () => {
    emulator = await startEmulator({ scenario: { settings: { snapshotDuration: '1s' } } });
  });

  afterAll(async () => {
    await emulator.close();
  });

  afterEach(async () => {
    await daemon?.remove();
    daemon = undefined;
  });

  async function crashAndRestart(policy: string, step: JournalStep): Promise<RunRecord> {
    daemon = await DaemonProcess.prepare(emulator, POLICIES);
    await daemon.start({ SELFSNAP_TEST_CRASH_AT: step });
    await daemon.trigger(policy);

    const killed = await daemon.exit();
    expect(killed.signal).toBe('SIGKILL');
    expect(daemon.output.join('\n')).toContain(`SELFSNAP_TEST_CRASH_AT=${step} reached`);
    const [runId] = await daemon.journaledRunIds();
    expect(runId).toBeDefined();
    checkCrashState(
      step,
      await readRun(daemon, runId as string),
      snapshotsOf(runId as string).length,
    );

    await daemon.start();
    const active = daemon;
    return waitUntil(
      async () => {
        const run = await active.run(runId as string);
        return run.status === 'running' ? undefined : run;
      },
      20_000,
      `run ${runId} to finish after the restart`,
    );
  }

  async function readRun(active: DaemonProcess, runId: string): Promise<RunRecord> {
    return JSON.parse(
      await readFile(join(active.folder, 'state/runs', `${runId}.json`), 'utf8'),
    ) as RunRecord;
  }

  /** Checks that the kill came at the moment the step names, so the restart has that to recover. */
  function checkCrashState(step: JournalStep, journaled: RunRecord, madeInCloud: number) {
    const journaledIds = journaled.disks.filter((disk) => disk.snapshotId !== undefined).length;
    if (step === 'run-planned') {
      expect(journaled.disks.map((disk) => disk.status)).toEqual(['pending', 'pending', 'pending']);
    }
    if (step === 'disk-creating') {
      expect(journaled.disks.some((disk) => disk.status === 'creating')).toBe(true);
      expect(madeInCloud).toBe(0);
    }
    // The cloud made a snapshot whose id the journal never got.
    if (step === 'create-returned') expect(madeInCloud).toBeGreaterThan(journaledIds);
    if (step === 'disk-created') expect(journaledIds).toBeGreaterThan(0);
    if (step === 'group-creating') expect(journaled.snapshotGroup?.status).toBe('creating');
    if (step === 'group-create-returned') {
      // The group exists in the cloud, but the journal has only its ClientToken.
      expect(journaled.snapshotGroup?.snapshotGroupId).toBeUndefined();
      const answered = emulator.control
        .requests({ action: 'CreateSnapshotGroup' })
        .filter((request) => request.params.ClientToken === journaled.snapshotGroup?.clientToken);
      expect(answered.map((request) => request.httpStatus)).toEqual([200]);
    }
  }

  function snapshotsOf(runId: string) {
    return emulator.control
      .snapshots()
      .filter((snapshot) =>
        snapshot.tags.some((tag) => tag.key === 'selfsnap:run' && tag.value === runId),
      );
  }

  it.each(PER_DISK_STEPS)(
    'makes one snapshot per disk when killed at %s',
    async (step) => {
      const run = await crashAndRestart('crashy', step);

      expect(run.status).toBe('succeeded');
      const made = snapshotsOf(run.id);
      expect(made).toHaveLength(3);
      expect(new Set(made.map((snapshot) => snapshot.sourceDiskId)).size).toBe(3);
      expect(made.map((snapshot) => snapshot.snapshotId).sort()).toEqual(
        run.disks.map((disk) => disk.snapshotId).sort(),
      );
      expect((await readRun(daemon as DaemonProcess, run.id)).status).toBe('succeeded');
    },
    60_000,
  );

  it.each(GROUP_STEPS)(
    'makes one snapshot group when killed at %s',
    async (step) => {
      const run = await crashAndRestart('grouped', step);

      expect(run.status).toBe('succeeded');
      expect(run.consistency?.applied).toBe('group');
      expect(snapshotsOf(run.id)).toHaveLength(3);
      const groupIds = new Set(snapshotsOf(run.id).map((snapshot) => snapshot.snapshotGroupId));
      expect([...groupIds]).toEqual([run.snapshotGroup?.snapshotGroupId]);
    },
    60_000,
  );

  it('records the snapshot ids of creates in flight when stopped with SIGTERM', async () => {
    emulator.control.injectLatency({ action: 'CreateSnapshot', latencyMs: 1000, count: 3 });
    daemon = await DaemonProcess.prepare(emulator, POLICIES);
    await daemon.start();
    const creates = emulator.control.requests({ action: 'CreateSnapshot' }).length;
    await daemon.trigger('crashy');
    await waitUntil(
      async () =>
        emulator.control.requests({ action: 'CreateSnapshot' }).length === creates + 3 || undefined,
      5000,
      'three creates in flight',
    );

    const stopped = await daemon.terminate();

    expect(stopped).toEqual({ code: 0, signal: null });
    const [runId] = await daemon.journaledRunIds();
    const stored = await readRun(daemon, runId as string);
    expect(stored.status).toBe('running');
    expect(stored.disks.every((disk) => disk.snapshotId?.startsWith('s-'))).toBe(true);
    const lastLine = JSON.parse(
      daemon.output.filter((line) => line.startsWith('{')).at(-1) as string,
    );
    expect(lastLine).toMatchObject({ msg: 'daemon stopped' });

    await daemon.start();
    const active = daemon;
    const run = await waitUntil(
      async () => {
        const current = await active.run(runId as string);
        return current.status === 'running' ? undefined : current;
      },
      20_000,
      'the resumed run to finish',
    );
    expect(run.status).toBe('succeeded');
    expect(emulator.control.requests({ action: 'CreateSnapshot' })).toHaveLength(creates + 3);
  }, 60_000);
});
