import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type ExpectStatic } from 'vitest';
import type { Scenario } from '../emulator/index.js';
import { waitUntil } from '../support/wait.js';
import { SEEDED_DISK_IDS, snapshotsOfRun, startWorld, type CaseWorld } from './case-world.js';
import { DaemonUnderTest } from './daemon-under-test.js';
import { checkInvariants } from './invariants.js';
import { printMatrixSummary } from './matrix-summary.js';

const POLICIES = { manual: { disks: 'all' }, grouped: { disks: 'all', consistency: 'group' } };
const ADDED_DISK = 'd-bp1selfsnap0dat00003';

interface RunView {
  id: string;
  status: string;
  error?: { code?: string; ecsCode?: string; message?: string } | null;
  disks: { diskId: string; status: string; error?: { ecsCode?: string } | null }[];
}

/** A fresh emulator and daemon for one case; the invariants are checked when the body returns. */
async function withDaemon(
  expect: ExpectStatic,
  options: {
    scenario?: Scenario;
    waitReady?: boolean;
    env?: Record<string, string>;
    /** Runs before the daemon starts, so faults also meet its first disk listing. */
    beforeStart?: (world: CaseWorld) => void;
  },
  body: (world: CaseWorld, daemon: DaemonUnderTest) => Promise<void>,
): Promise<void> {
  const world = await startWorld(options.scenario);
  const daemon = await DaemonUnderTest.prepare(world.emulator, { policies: POLICIES });
  try {
    options.beforeStart?.(world);
    await daemon.start({ waitReady: options.waitReady, env: options.env });
    await body(world, daemon);
    const violations = await checkInvariants({
      emulator: world.emulator,
      foreign: world.foreign,
      lines: daemon.lines,
      texts: daemon.responses,
      stateDir: daemon.stateDir,
      socketPath: daemon.socketPath,
    });
    expect(violations).toEqual([]);
  } finally {
    await daemon.remove();
    await world.emulator.close();
  }
}

/** Writes a virtio block device whose serial number is the disk id without its `d-` prefix. */
async function writeBlockDevice(folder: string, diskId: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'serial'), `${diskId.slice(2)}\n`);
}

async function runOnce(daemon: DaemonUnderTest, policy = 'manual'): Promise<RunView> {
  return (await daemon.waitForRun(await daemon.trigger(policy), 40_000)) as unknown as RunView;
}

describe('daemon against cloud faults', () => {
  printMatrixSummary('cloud: faults against the daemon');
  const timeout = { timeout: 60_000 };

  it.concurrent(
    'serves degraded and recovers when metadata is down at start',
    timeout,
    async ({ expect }) => {
      await withDaemon(
        expect,
        { scenario: { faults: { imdsHang: true } }, waitReady: false },
        async (world, daemon) => {
          const degraded = await waitUntil(
            async () => {
              const status = await daemon.status();
              return status.health.status === 'degraded' ? status : undefined;
            },
            15_000,
            'a degraded status',
          );
          expect(degraded.ready).toBe(false);
          // A trigger sent before the instance is identified waits for it instead of failing.
          const early = daemon.request('POST', '/v1/runs', { policy: 'manual', wait: 'none' });

          world.emulator.control.setImdsHang(false);
          const accepted = await early;
          expect(accepted.status).toBe(202);
          expect((await daemon.status()).ready).toBe(true);

          expect((await runOnce(daemon)).status).toBe('succeeded');
        },
      );
    },
  );

  it.concurrent('refreshes credentials that expire during a run', timeout, async ({ expect }) => {
    // Before the start, because the daemon's first disk listing fetches the first credential set.
    const beforeStart = (world: CaseWorld) =>
      world.emulator.control.setCredentialLifetime(10 * 60_000, 60_000);
    await withDaemon(expect, { beforeStart }, async (world, daemon) => {
      expect((await runOnce(daemon)).status).toBe('succeeded');

      world.emulator.control.advanceClock(11 * 60_000);
      const run = await runOnce(daemon);

      expect(run.status).toBe('succeeded');
      const expired = world.emulator.control
        .requests()
        .filter((request) => request.errorCode === 'InvalidSecurityToken.Expired');
      expect(expired.length).toBeGreaterThan(0);
      expect(world.emulator.control.issuedCredentials().length).toBeGreaterThanOrEqual(2);
    });
  });

  it.concurrent.for([
    { action: 'CreateSnapshot', code: 'InternalError', httpStatus: 500 },
    { action: 'DescribeSnapshots', code: 'ServiceUnavailable', httpStatus: 503 },
    { action: 'DescribeDisks', code: 'InternalError', httpStatus: 500 },
  ])('succeeds after a burst of $code on $action', timeout, async (fault, { expect }) => {
    // The daemon lists the instance's disks once at start and plans runs from that listing while
    // the block devices stay the same, so a DescribeDisks fault must be in place before the start.
    const beforeStart = (world: CaseWorld) => {
      if (fault.action === 'DescribeDisks')
        world.emulator.control.injectError({ ...fault, count: 3 });
    };
    await withDaemon(expect, { beforeStart }, async (world, daemon) => {
      if (fault.action !== 'DescribeDisks')
        world.emulator.control.injectError({ ...fault, count: 3 });

      const run = await runOnce(daemon);

      expect(run.status).toBe('succeeded');
      expect(snapshotsOfRun(world.emulator, run.id)).toHaveLength(3);
      const failed = world.emulator.control.requests({ action: fault.action });
      expect(failed.filter((request) => request.errorCode === fault.code)).toHaveLength(3);
    });
  });

  it.concurrent.for([
    { action: 'CreateSnapshot', policy: 'manual' },
    { action: 'CreateSnapshotGroup', policy: 'grouped' },
    { action: 'DescribeSnapshots', policy: 'manual' },
  ])(
    'makes each snapshot once when $action responses are lost',
    timeout,
    async (fault, { expect }) => {
      await withDaemon(expect, {}, async (world, daemon) => {
        world.emulator.control.dropResponses({ action: fault.action, count: 2 });

        const run = await runOnce(daemon, fault.policy);

        expect(run.status).toBe('succeeded');
        expect(snapshotsOfRun(world.emulator, run.id)).toHaveLength(3);
        const dropped = world.emulator.control.requests({ action: fault.action });
        expect(dropped.filter((request) => request.dropped)).toHaveLength(2);
      });
    },
  );

  it.concurrent('follows disks detached and attached between runs', timeout, async ({ expect }) => {
    const scenario: Scenario = {
      disks: [
        { diskId: SEEDED_DISK_IDS[0], type: 'system' },
        { diskId: SEEDED_DISK_IDS[1] },
        { diskId: SEEDED_DISK_IDS[2] },
        { diskId: ADDED_DISK, instanceId: '' },
      ],
    };
    // Attaching or detaching a disk adds or removes its block device, as the kernel does.
    const sysfs = await mkdtemp(join(tmpdir(), 'selfsnap-sysfs-'));
    const attach = (name: string, diskId: string) =>
      writeBlockDevice(join(sysfs, 'block', name), diskId);
    await Promise.all(SEEDED_DISK_IDS.map((diskId, index) => attach(`vd${'abc'[index]}`, diskId)));
    const env = { SELFSNAP_TEST_SYSFS_ROOT: sysfs };
    try {
      await withDaemon(expect, { scenario, env }, async (world, daemon) => {
        const first = await runOnce(daemon);
        world.emulator.control.changeDisk({
          diskId: SEEDED_DISK_IDS[2],
          status: 'Available',
          instanceId: '',
        });
        await rm(join(sysfs, 'block/vdc'), { recursive: true });
        world.emulator.control.changeDisk({
          diskId: ADDED_DISK,
          status: 'In_use',
          instanceId: world.emulator.instance.instanceId,
        });
        await attach('vdd', ADDED_DISK);

        const second = await runOnce(daemon);

        expect(first.disks.map((disk) => disk.diskId)).toEqual([...SEEDED_DISK_IDS]);
        expect(second.status).toBe('succeeded');
        expect(second.disks.map((disk) => disk.diskId).sort()).toEqual(
          [SEEDED_DISK_IDS[0], SEEDED_DISK_IDS[1], ADDED_DISK].sort(),
        );
      });
    } finally {
      await rm(sysfs, { recursive: true, force: true });
    }
  });

  it.concurrent(
    'skips the disk at its snapshot quota and keeps foreign snapshots',
    timeout,
    async ({ expect }) => {
      // Every disk has one foreign snapshot; a second one fills the first data disk's quota.
      const scenario: Scenario = {
        settings: { manualSnapshotQuotaPerDisk: 2 },
        snapshots: [{ diskId: SEEDED_DISK_IDS[1], name: 'console-extra', createdAgo: '1d' }],
      };
      await withDaemon(expect, { scenario }, async (world, daemon) => {
        const run = await runOnce(daemon);

        expect(run.status).toBe('partial');
        const full = run.disks.find((disk) => disk.diskId === SEEDED_DISK_IDS[1]);
        expect(full?.status).toBe('skipped');
        expect(full?.error?.ecsCode).toBe('QuotaExceed.Snapshot');
        expect(snapshotsOfRun(world.emulator, run.id)).toHaveLength(2);
      });
    },
  );

  it.concurrent.for(['CreateSnapshot', 'DescribeSnapshots'])(
    'fails the run naming ecs:%s when the RAM role lacks it',
    timeout,
    async (missing, { expect }) => {
      const allowed = ['DescribeInstances', 'DescribeDisks', 'CreateSnapshot', 'DescribeSnapshots'];
      const scenario: Scenario = {
        settings: { allowedActions: allowed.filter((a) => a !== missing) },
      };
      await withDaemon(expect, { scenario }, async (_world, daemon) => {
        const run = await runOnce(daemon);

        expect(run.status).toBe('failed');
        expect(run.error?.code).toBe('ECS_FORBIDDEN');
        expect(run.error?.message).toContain(`allow ecs:${missing}`);
        const status = await daemon.status();
        expect(status.ready).toBe(true);
      });
    },
  );
});
