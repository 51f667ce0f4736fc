import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../support/wait.js';
import { SEEDED_DISK_IDS, snapshotsOfRun, startWorld, type CaseWorld } from './case-world.js';
import { DaemonUnderTest } from './daemon-under-test.js';
import { checkInvariants } from './invariants.js';
import { printMatrixSummary } from './matrix-summary.js';

const HOUR = 3_600_000;

interface RunView {
  id: string;
  status: string;
  trigger: string;
  reason: string | null;
  error?: { ecsCode?: string } | null;
}

/** Writes the record of a finished scheduled run of `policy` that started at `startedAt`. */
async function seedScheduledRun(stateDir: string, policy: string, startedAt: Date) {
  const id = `${startedAt.toISOString().replace(/[-:]/g, '').slice(0, 15)}Z-${policy}-0000`;
  const record = {
    id,
    policy,
    trigger: 'schedule',
    instanceId: 'i-bp1selfsnap0emu0001',
    snapshotName: `selfsnap-${policy}-old`,
    phase: 'done',
    status: 'succeeded',
    startedAt: startedAt.toISOString(),
    finishedAt: startedAt.toISOString(),
    disks: [
      {
        diskId: SEEDED_DISK_IDS[0],
        diskType: 'system',
        clientToken: 'seeded',
        status: 'accomplished',
      },
    ],
  };
  await mkdir(join(stateDir, 'runs'), { recursive: true });
  await writeFile(join(stateDir, 'runs', `${id}.json`), JSON.stringify(record));
}

describe('daemon across time changes', () => {
  printMatrixSummary('time: daemon and cloud clocks');
  let world: CaseWorld;
  let daemon: DaemonUnderTest | undefined;

  beforeEach(async () => {
    world = await startWorld();
  });

  afterEach(async () => {
    await daemon?.remove();
    await world.emulator.close();
    daemon = undefined;
  });

  async function runs(active: DaemonUnderTest): Promise<RunView[]> {
    const response = await active.request('GET', '/v1/runs?limit=200');
    return (JSON.parse(response.text) as { runs: RunView[] }).runs;
  }

  async function invariants(active: DaemonUnderTest) {
    return checkInvariants({
      emulator: world.emulator,
      foreign: world.foreign,
      lines: active.lines,
      texts: active.responses,
      stateDir: active.stateDir,
      socketPath: active.socketPath,
    });
  }

  it('starts one catch-up run when down across several slots', async () => {
    daemon = await DaemonUnderTest.prepare(world.emulator, {
      policies: { nightly: { schedule: '0 3 * * *', disks: 'all' } },
    });
    await seedScheduledRun(daemon.stateDir, 'nightly', new Date(Date.now() - 80 * HOUR));

    await daemon.start();
    const active = daemon;
    const catchUp = await waitUntil(
      async () => (await runs(active)).find((run) => run.reason === 'catch-up'),
      10_000,
      'the catch-up run',
    );
    expect(catchUp.trigger).toBe('schedule');
    expect((await daemon.waitForRun(catchUp.id)).status).toBe('succeeded');
    expect(snapshotsOfRun(world.emulator, catchUp.id)).toHaveLength(3);

    await daemon.stop();
    await daemon.start();
    await new Promise((resolve) => setTimeout(resolve, 1500));

    const catchUps = (await runs(daemon)).filter((run) => run.reason === 'catch-up');
    expect(catchUps.map((run) => run.id)).toEqual([catchUp.id]);
    expect(await invariants(daemon)).toEqual([]);
  });

  it.for([3, -3])(
    'fails runs cleanly and recovers when the cloud clock is %i h off',
    async (hours) => {
      daemon = await DaemonUnderTest.prepare(world.emulator, { policies: { manual: {} } });
      await daemon.start();

      world.emulator.control.setClock({ offsetMs: hours * HOUR });
      const skewed = await daemon.waitForRun(await daemon.trigger('manual'));
      world.emulator.control.setClock({ offsetMs: 0 });
      const recovered = await daemon.waitForRun(await daemon.trigger('manual'));

      expect(skewed.status).toBe('failed');
      expect((skewed.error as RunView['error'])?.ecsCode).toBe('InvalidTimeStamp.Expired');
      expect(recovered.status).toBe('succeeded');
      expect(snapshotsOfRun(world.emulator, skewed.id)).toEqual([]);
      expect(snapshotsOfRun(world.emulator, recovered.id)).toHaveLength(3);
      expect(await invariants(daemon)).toEqual([]);
    },
  );
});
