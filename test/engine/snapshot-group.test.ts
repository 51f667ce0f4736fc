import { afterEach, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/snapshot/index.js';
import type { Scenario } from '../emulator/index.js';
import { EngineHarness } from './engine-harness.js';

const GROUP_POLICY = { grouped: { disks: 'all', consistency: 'group' } };
const FAST = { snapshotDuration: '300ms' };

function disk(diskId: string, extra: Record<string, unknown> = {}) {
  return { diskId, type: 'data' as const, category: 'cloud_essd', ...extra };
}

describe('run with group consistency', () => {
  let harness: EngineHarness | undefined;

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  async function runGrouped(scenario: Scenario, groupDiskLimit?: number): Promise<RunRecord> {
    harness = await EngineHarness.start({ scenario, policies: GROUP_POLICY });
    const manager = await harness.createManager({ groupDiskLimit });
    const started = await manager.trigger({ policy: 'grouped', trigger: 'manual' });
    const { run, timedOut } = await manager.waitFor(started.id, 'accomplished', 15_000);
    expect(timedOut).toBe(false);
    return run;
  }

  function consistencyTags(active: EngineHarness): string[] {
    return active.emulator.control
      .snapshots()
      .map(
        (snapshot) => snapshot.tags.find((tag) => tag.key === 'selfsnap:consistency')?.value ?? '',
      );
  }

  it('creates one snapshot group and tags its members when every disk qualifies', async () => {
    const run = await runGrouped({ settings: FAST });
    const active = harness as EngineHarness;

    expect(run.status).toBe('succeeded');
    expect(run.consistency).toEqual({ requested: 'group', applied: 'group' });
    expect(run.snapshotGroup?.snapshotGroupId).toMatch(/^ssg-/);
    expect(active.emulator.control.requests({ action: 'CreateSnapshotGroup' })).toHaveLength(1);
    expect(active.emulator.control.requests({ action: 'CreateSnapshot' })).toHaveLength(0);
    expect(consistencyTags(active)).toEqual(['group', 'group', 'group']);
    for (const snapshot of active.emulator.control.snapshots()) {
      expect(snapshot.tags).toContainEqual({ key: 'selfsnap:run', value: run.id });
    }
  });

  it('skips tagging when the cloud copies the group tags onto the members', async () => {
    await runGrouped({ settings: { ...FAST, snapshotGroupTagsOnMembers: true } });
    const active = harness as EngineHarness;

    expect(active.emulator.control.requests({ action: 'TagResources' })).toHaveLength(0);
    expect(consistencyTags(active)).toEqual(['group', 'group', 'group']);
  });

  it.each([
    {
      case: 'a disk is not ESSD',
      disks: [
        disk('d-bp1grp00000000000001'),
        disk('d-bp1grp00000000000002', { category: 'cloud_efficiency' }),
      ],
      reason: 'disk d-bp1grp00000000000002 is cloud_efficiency',
    },
    {
      case: 'a disk has multi-attach',
      disks: [
        disk('d-bp1grp00000000000001'),
        disk('d-bp1grp00000000000002', { multiAttach: true }),
      ],
      reason: 'disk d-bp1grp00000000000002 has multi-attach enabled',
    },
    {
      case: 'the disks are in two zones',
      disks: [
        disk('d-bp1grp00000000000001'),
        disk('d-bp1grp00000000000002', { zoneId: 'cn-hangzhou-j' }),
      ],
      reason: 'several zones (cn-hangzhou-k, cn-hangzhou-j)',
    },
  ])('falls back to per-disk snapshots when $case', async ({ disks, reason }) => {
    const run = await runGrouped({ disks, settings: FAST });
    const active = harness as EngineHarness;

    expect(run.status).toBe('succeeded');
    expect(run.consistency?.applied).toBe('crash');
    expect(run.consistency?.reason).toContain(reason);
    expect(active.emulator.control.requests({ action: 'CreateSnapshotGroup' })).toHaveLength(0);
    expect(active.emulator.control.requests({ action: 'CreateSnapshot' })).toHaveLength(2);
    expect(consistencyTags(active)).toEqual(['crash', 'crash']);
  });

  it('falls back to per-disk snapshots when the disks exceed the group limit', async () => {
    const run = await runGrouped({ settings: FAST }, 2);

    expect(run.consistency?.reason).toContain('3 disks exceed the snapshot group limit of 2');
    expect(consistencyTags(harness as EngineHarness)).toEqual(['crash', 'crash', 'crash']);
  });

  it('falls back to per-disk snapshots when the API rejects the group', async () => {
    const scenario: Scenario = {
      settings: FAST,
      faults: {
        errors: [
          { action: 'CreateSnapshotGroup', code: 'InvalidDiskIds.NotInSameZone', httpStatus: 400 },
        ],
      },
    };

    const run = await runGrouped(scenario);
    const active = harness as EngineHarness;

    expect(run.status).toBe('succeeded');
    expect(run.snapshotGroup).toBeUndefined();
    expect(run.consistency?.reason).toContain(
      'CreateSnapshotGroup was rejected with InvalidDiskIds.NotInSameZone',
    );
    expect(active.emulator.control.requests({ action: 'CreateSnapshot' })).toHaveLength(3);
    expect(consistencyTags(active)).toEqual(['crash', 'crash', 'crash']);
  });

  it('makes one group when the create response is lost', async () => {
    const run = await runGrouped({
      settings: FAST,
      faults: { drops: [{ action: 'CreateSnapshotGroup' }] },
    });
    const active = harness as EngineHarness;

    expect(run.status).toBe('succeeded');
    const creates = active.emulator.control.requests({ action: 'CreateSnapshotGroup' });
    expect(creates.map((request) => request.dropped)).toEqual([true, false]);
    expect(new Set(creates.map((request) => request.params.ClientToken)).size).toBe(1);
    expect(active.emulator.control.snapshots()).toHaveLength(3);
  });

  it('fails naming CreateSnapshotGroup when the RAM role may not call it', async () => {
    const allowedActions = ['DescribeDisks', 'CreateSnapshot', 'DescribeSnapshots'];

    const run = await runGrouped({ settings: { ...FAST, allowedActions } });

    expect(run.status).toBe('failed');
    expect(run.error?.message).toContain('may not call CreateSnapshotGroup');
    expect((harness as EngineHarness).emulator.control.snapshots()).toHaveLength(0);
  });
});
