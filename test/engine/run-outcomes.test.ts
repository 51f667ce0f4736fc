import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/snapshot/index.js';
import { EngineHarness } from './engine-harness.js';

const SYSTEM = 'd-bp1selfsnap0sys00001';
const DATA_1 = 'd-bp1selfsnap0dat00001';
const DATA_2 = 'd-bp1selfsnap0dat00002';
const FAST = { settings: { snapshotDuration: '300ms' } };

describe('run outcomes', () => {
  let harness: EngineHarness | undefined;

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  async function runOnce(active: EngineHarness): Promise<RunRecord> {
    const manager = await active.createManager();
    const started = await manager.trigger({ policy: 'manual', trigger: 'manual' });
    const { run, timedOut } = await manager.waitFor(started.id, 'accomplished', 15_000);
    expect(timedOut).toBe(false);
    return run;
  }

  function diskOf(run: RunRecord, diskId: string) {
    return run.disks.find((disk) => disk.diskId === diskId);
  }

  it('succeeds with one accomplished snapshot per disk when nothing fails', async () => {
    harness = await EngineHarness.start({ scenario: FAST });

    const run = await runOnce(harness);

    expect(run.status).toBe('succeeded');
    expect(run.disks.map((disk) => disk.status)).toEqual([
      'accomplished',
      'accomplished',
      'accomplished',
    ]);
    const stored = JSON.parse(
      await readFile(join(harness.config.stateDir, 'runs', `${run.id}.json`), 'utf8'),
    ) as RunRecord;
    expect(stored.status).toBe('succeeded');
    expect(stored.disks.every((disk) => disk.snapshotId?.startsWith('s-'))).toBe(true);
  });

  it.each([
    { ecsCode: 'IncorrectDiskStatus', httpStatus: 403, code: 'DISK_STATE_INVALID' },
    {
      ecsCode: 'IncorrectDiskStatus.CreatingSnapshot',
      httpStatus: 403,
      code: 'DISK_STATE_INVALID',
    },
    { ecsCode: 'InvalidDiskId.NotFound', httpStatus: 404, code: 'DISK_NOT_FOUND' },
    { ecsCode: 'QuotaExceed.Snapshot', httpStatus: 403, code: 'SNAPSHOT_QUOTA_EXCEEDED' },
  ])('skips one disk and snapshots the others when it gets $ecsCode', async (fault) => {
    harness = await EngineHarness.start({ scenario: FAST });
    harness.emulator.control.injectError({
      action: 'CreateSnapshot',
      code: fault.ecsCode,
      httpStatus: fault.httpStatus,
      count: 1,
      diskId: DATA_1,
    });

    const run = await runOnce(harness);

    expect(run.status).toBe('partial');
    expect(diskOf(run, DATA_1)).toMatchObject({
      status: 'skipped',
      error: { code: fault.code, ecsCode: fault.ecsCode },
    });
    expect(diskOf(run, DATA_1)?.snapshotId).toBeUndefined();
    expect(diskOf(run, SYSTEM)?.status).toBe('accomplished');
    expect(diskOf(run, DATA_2)?.status).toBe('accomplished');
    expect(harness.logs.find('disk skipped')[0]).toMatchObject({
      level: 40,
      ecsCode: fault.ecsCode,
    });
  });

  it('skips a disk whose status the cloud changed to Detaching', async () => {
    harness = await EngineHarness.start({ scenario: FAST });
    harness.emulator.control.changeDisk({ diskId: DATA_2, status: 'Detaching' });

    const run = await runOnce(harness);

    expect(run.status).toBe('partial');
    expect(diskOf(run, DATA_2)).toMatchObject({
      status: 'skipped',
      error: { code: 'DISK_STATE_INVALID', ecsCode: 'IncorrectDiskStatus' },
    });
  });

  it('fails loudly naming the action when the RAM role may not create snapshots', async () => {
    harness = await EngineHarness.start({
      scenario: { ...FAST, settings: { ...FAST.settings, allowedActions: ['DescribeDisks'] } },
    });

    const run = await runOnce(harness);

    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'ECS_FORBIDDEN', ecsCode: 'Forbidden.RAM' });
    expect(run.error?.message).toContain('may not call CreateSnapshot');
    expect(run.error?.message).toContain('allow ecs:CreateSnapshot');
    expect(run.disks.every((disk) => disk.status === 'failed')).toBe(true);
    const logged = harness.logs.find('the RAM role may not call CreateSnapshot');
    expect(logged.length).toBeGreaterThan(0);
    expect(logged[0]).toMatchObject({ level: 50, action: 'CreateSnapshot' });
  });

  it('fails when every disk is skipped', async () => {
    harness = await EngineHarness.start({ scenario: FAST });
    harness.emulator.control.injectError({
      action: 'CreateSnapshot',
      code: 'QuotaExceed.Snapshot',
      httpStatus: 403,
      count: 3,
    });

    const run = await runOnce(harness);

    expect(run.status).toBe('failed');
    expect(run.disks.map((disk) => disk.status)).toEqual(['skipped', 'skipped', 'skipped']);
  });

  it('ends partial with the reason when a snapshot fails in the cloud', async () => {
    harness = await EngineHarness.start({ scenario: FAST });
    harness.emulator.control.failSnapshots({ diskId: SYSTEM, count: 1 });

    const run = await runOnce(harness);

    expect(run.status).toBe('partial');
    expect(diskOf(run, SYSTEM)?.error).toMatchObject({ code: 'SNAPSHOT_FAILED' });
  });

  it('makes one snapshot per disk when a create response is lost', async () => {
    harness = await EngineHarness.start({ scenario: FAST });
    harness.emulator.control.dropResponses({ action: 'CreateSnapshot', count: 2 });

    const run = await runOnce(harness);

    expect(run.status).toBe('succeeded');
    const creates = harness.emulator.control.requests({ action: 'CreateSnapshot' });
    expect(creates.filter((request) => request.dropped)).toHaveLength(2);
    for (const disk of run.disks) {
      const tokens = creates
        .filter((request) => request.params.DiskId === disk.diskId)
        .map((request) => request.params.ClientToken);
      expect(new Set(tokens)).toEqual(new Set([disk.clientToken]));
      const made = harness.emulator.control
        .snapshots()
        .filter((s) => s.sourceDiskId === disk.diskId);
      expect(made.map((snapshot) => snapshot.snapshotId)).toEqual([disk.snapshotId]);
    }
  });

  it('adopts the snapshot made before when a create gets no response', async () => {
    // With a single attempt allowed, the dropped create is never repeated; only the tag lookup
    // can find what it made.
    harness = await EngineHarness.start({ scenario: FAST, retry: { transientAttempts: 1 } });
    harness.emulator.control.dropResponses({ action: 'CreateSnapshot', count: 1 });

    const run = await runOnce(harness);

    expect(run.status).toBe('succeeded');
    expect(harness.emulator.control.requests({ action: 'CreateSnapshot' })).toHaveLength(3);
    const lookups = harness.emulator.control
      .requests({ action: 'DescribeSnapshots' })
      .filter((request) => request.params['Tag.1.Key'] === 'selfsnap:run');
    expect(lookups.map((request) => request.params['Tag.1.Value'])).toEqual([run.id]);
    expect(harness.logs.find('adopted snapshot made before')).toHaveLength(1);
    const made = harness.emulator.control.snapshots();
    expect(made.map((snapshot) => snapshot.snapshotId).sort()).toEqual(
      run.disks.map((disk) => disk.snapshotId).sort(),
    );
  });
});
