import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { startEmulator, type Emulator } from './index.js';
import { connectEcsClient, EcsSdk, type EcsClient } from './sdk-client.js';

const SYSTEM_DISK = 'd-bp1selfsnap0sys00001';
const DATA_DISKS = ['d-bp1selfsnap0dat00001', 'd-bp1selfsnap0dat00002'];

describe('ECS snapshot groups', () => {
  let emulator: Emulator;
  let client: EcsClient;

  beforeEach(async () => {
    emulator = await startEmulator();
    ({ client } = await connectEcsClient(emulator));
  });

  afterEach(async () => {
    await emulator.close();
  });

  function createGroup(fields: Partial<EcsSdk.CreateSnapshotGroupRequest> = {}) {
    const request = new EcsSdk.CreateSnapshotGroupRequest({
      regionId: 'cn-hangzhou',
      instanceId: emulator.instance.instanceId,
      ...fields,
    });
    return client.createSnapshotGroup(request);
  }

  function describeGroups(fields: Partial<EcsSdk.DescribeSnapshotGroupsRequest> = {}) {
    const request = new EcsSdk.DescribeSnapshotGroupsRequest({
      regionId: 'cn-hangzhou',
      ...fields,
    });
    return client.describeSnapshotGroups(request);
  }

  it('snapshots every attached disk when no DiskId.N is given', async () => {
    const created = await createGroup({
      name: 'selfsnap-group',
      tag: [new EcsSdk.CreateSnapshotGroupRequestTag({ key: 'selfsnap:run', value: 'r1' })],
    });
    const listed = await describeGroups({ snapshotGroupId: [created.body?.snapshotGroupId ?? ''] });
    const group = listed.body?.snapshotGroups?.snapshotGroup?.[0];

    expect(created.body?.snapshotGroupId).toMatch(/^ssg-/);
    expect(group).toMatchObject({
      name: 'selfsnap-group',
      status: 'progressing',
      instanceId: emulator.instance.instanceId,
    });
    expect(group?.tags?.tag).toEqual([{ key: 'selfsnap:run', value: 'r1' }]);
    const members = group?.snapshots?.snapshot?.map((snapshot) => snapshot.sourceDiskId);
    expect(members?.sort()).toEqual([...DATA_DISKS, SYSTEM_DISK].sort());
    expect(emulator.control.snapshots()).toHaveLength(3);
  });

  it('snapshots only the listed disks with DiskId.N', async () => {
    await createGroup({ diskId: DATA_DISKS });

    expect(
      emulator.control
        .snapshots()
        .map((snapshot) => snapshot.sourceDiskId)
        .sort(),
    ).toEqual(DATA_DISKS);
  });

  it('leaves out the disks in ExcludeDiskId.N', async () => {
    await createGroup({ excludeDiskId: [SYSTEM_DISK] });

    expect(
      emulator.control
        .snapshots()
        .map((snapshot) => snapshot.sourceDiskId)
        .sort(),
    ).toEqual(DATA_DISKS);
  });

  it('reports accomplished once every member is', async () => {
    const id = (await createGroup()).body?.snapshotGroupId ?? '';
    emulator.control.advanceClock(3_000);

    const listed = await describeGroups({ status: ['accomplished'] });

    expect(
      listed.body?.snapshotGroups?.snapshotGroup?.map((group) => group.snapshotGroupId),
    ).toEqual([id]);
    expect(
      listed.body?.snapshotGroups?.snapshotGroup?.[0]?.snapshots?.snapshot?.every(
        (s) => s.progress === '100%',
      ),
    ).toBe(true);
  });

  it('returns the first group id when a ClientToken is reused', async () => {
    const first = await createGroup({ clientToken: 'run-3' });
    const second = await createGroup({ clientToken: 'run-3' });

    expect(second.body?.snapshotGroupId).toBe(first.body?.snapshotGroupId);
    expect(emulator.control.snapshots()).toHaveLength(3);
  });

  it('deletes a group and its members', async () => {
    const id = (await createGroup()).body?.snapshotGroupId;

    const deleted = await client.deleteSnapshotGroup(
      new EcsSdk.DeleteSnapshotGroupRequest({ regionId: 'cn-hangzhou', snapshotGroupId: id }),
    );

    const progress = deleted.body?.operationProgressSet?.operationProgress ?? [];
    expect(progress.map((item) => item.operationStatus)).toEqual(['Success', 'Success', 'Success']);
    expect(emulator.control.snapshots()).toEqual([]);
    expect((await describeGroups()).body?.snapshotGroups?.snapshotGroup).toEqual([]);
  });

  it('keeps a member that backs an image when deleting the group', async () => {
    const id = (await createGroup({ diskId: DATA_DISKS })).body?.snapshotGroupId;
    const [kept] = emulator.control.snapshots();
    emulator.control.setSnapshotUsage(kept?.snapshotId ?? '', 'image');

    const deleted = await client.deleteSnapshotGroup(
      new EcsSdk.DeleteSnapshotGroupRequest({ regionId: 'cn-hangzhou', snapshotGroupId: id }),
    );

    const statuses = deleted.body?.operationProgressSet?.operationProgress?.map(
      (item) => item.errorCode ?? item.operationStatus,
    );
    expect(statuses?.sort()).toEqual(['SnapshotCreatedImage', 'Success']);
    expect(emulator.control.snapshots().map((snapshot) => snapshot.snapshotId)).toEqual([
      kept?.snapshotId,
    ]);
  });

  it('pages groups with MaxResults and NextToken', async () => {
    for (let index = 0; index < 3; index += 1) await createGroup({ diskId: [DATA_DISKS[0] ?? ''] });

    const first = await describeGroups({ maxResults: 2 });
    const second = await describeGroups({ maxResults: 2, nextToken: first.body?.nextToken });

    expect(first.body?.snapshotGroups?.snapshotGroup).toHaveLength(2);
    expect(second.body?.snapshotGroups?.snapshotGroup).toHaveLength(1);
    expect(second.body?.nextToken).toBe('');
  });
});
