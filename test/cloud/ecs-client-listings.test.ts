import { afterEach, describe, expect, it } from 'vitest';
import { EngineHarness } from '../engine/engine-harness.js';

const DATA_DISKS = ['d-bp1selfsnap0dat00001', 'd-bp1selfsnap0dat00002'];

describe('EcsClient listings and groups', () => {
  let harness: EngineHarness | undefined;

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('asks for at most 100 snapshot ids a call when given 250', async () => {
    harness = await EngineHarness.start();
    const real = await harness.ecs.createSnapshot({
      diskId: DATA_DISKS[0] as string,
      snapshotName: 'selfsnap-batch-20261204T000000Z',
      clientToken: 'batch-test-token',
      tags: {},
    });
    const unknown = Array.from(
      { length: 249 },
      (_, i) => `s-bp1absent${String(i).padStart(10, '0')}`,
    );

    const found = await harness.ecs.describeSnapshots({ snapshotIds: [real, ...unknown] });

    expect(found.map((snapshot) => snapshot.snapshotId)).toEqual([real]);
    const sizes = harness.emulator.control
      .requests({ action: 'DescribeSnapshots' })
      .map((request) => (JSON.parse(request.params.SnapshotIds ?? '[]') as string[]).length);
    expect(sizes.sort((a, b) => b - a)).toEqual([100, 100, 50]);
  });

  it('sends no call when asked for an empty id list', async () => {
    harness = await EngineHarness.start();

    expect(await harness.ecs.describeSnapshots({ snapshotIds: [] })).toEqual([]);
    expect(harness.emulator.control.requests({ action: 'DescribeSnapshots' })).toHaveLength(0);
  });

  it('creates, lists and tags a snapshot group when given two disks', async () => {
    harness = await EngineHarness.start();
    const { instanceId } = harness.identity;

    const groupId = await harness.ecs.createSnapshotGroup({
      instanceId,
      diskIds: DATA_DISKS,
      name: 'selfsnap-group-20261204T000000Z',
      clientToken: 'group-test-token',
      tags: { 'selfsnap:run': 'group-test' },
    });
    const [group] = await harness.ecs.describeSnapshotGroups({ snapshotGroupIds: [groupId] });
    const memberIds = group?.snapshots.map((member) => member.snapshotId) ?? [];
    await harness.ecs.tagSnapshots(memberIds, { 'selfsnap:run': 'group-test' });

    expect(group).toMatchObject({
      snapshotGroupId: groupId,
      instanceId,
      tags: { 'selfsnap:run': 'group-test' },
    });
    expect(group?.snapshots.map((member) => member.sourceDiskId).sort()).toEqual(DATA_DISKS);
    const [create] = harness.emulator.control.requests({ action: 'CreateSnapshotGroup' });
    expect(create?.params).toMatchObject({
      InstanceId: instanceId,
      'DiskId.1': DATA_DISKS[0],
      'DiskId.2': DATA_DISKS[1],
      ClientToken: 'group-test-token',
      'Tag.1.Key': 'selfsnap:run',
    });
    const [tag] = harness.emulator.control.requests({ action: 'TagResources' });
    expect(tag?.params).toMatchObject({ ResourceType: 'snapshot', 'ResourceId.1': memberIds[0] });
    const tagged = harness.emulator.control
      .snapshots()
      .filter((snapshot) => memberIds.includes(snapshot.snapshotId));
    for (const snapshot of tagged) {
      expect(snapshot.tags).toContainEqual({ key: 'selfsnap:run', value: 'group-test' });
    }
  });
});
