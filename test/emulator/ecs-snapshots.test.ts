import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { startEmulator, type Emulator } from './index.js';
import { connectEcsClient, EcsSdk, type EcsClient } from './sdk-client.js';

const DATA_DISK = 'd-bp1selfsnap0dat00001';

describe('ECS snapshot actions', () => {
  let emulator: Emulator;
  let client: EcsClient;

  beforeEach(async () => {
    emulator = await startEmulator();
    ({ client } = await connectEcsClient(emulator));
  });

  afterEach(async () => {
    await emulator.close();
  });

  function createSnapshot(fields: Partial<EcsSdk.CreateSnapshotRequest> = {}) {
    return client.createSnapshot(
      new EcsSdk.CreateSnapshotRequest({ diskId: DATA_DISK, ...fields }),
    );
  }

  function describeSnapshots(fields: Partial<EcsSdk.DescribeSnapshotsRequest> = {}) {
    return client.describeSnapshots(
      new EcsSdk.DescribeSnapshotsRequest({ regionId: 'cn-hangzhou', ...fields }),
    );
  }

  it('creates a snapshot that the SDK parses, with name, description, retention and tags', async () => {
    const created = await createSnapshot({
      snapshotName: 'selfsnap-nightly-20261204T0300Z',
      description: 'nightly restore point',
      retentionDays: 7,
      tag: [new EcsSdk.CreateSnapshotRequestTag({ key: 'selfsnap:policy', value: 'nightly' })],
    });
    const listed = await describeSnapshots({
      snapshotIds: JSON.stringify([created.body?.snapshotId]),
    });
    const snapshot = listed.body?.snapshots?.snapshot?.[0];

    expect(created.body?.snapshotId).toMatch(/^s-bp1[a-z0-9]{17}$/);
    expect(created.body?.requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(snapshot).toMatchObject({
      snapshotId: created.body?.snapshotId,
      snapshotName: 'selfsnap-nightly-20261204T0300Z',
      description: 'nightly restore point',
      retentionDays: 7,
      sourceDiskId: DATA_DISK,
      sourceDiskType: 'data',
      sourceDiskSize: '100',
      snapshotType: 'user',
      status: 'progressing',
      usage: 'none',
    });
    expect(snapshot?.tags?.tag).toEqual([{ tagKey: 'selfsnap:policy', tagValue: 'nightly' }]);
    expect(snapshot?.creationTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('records the action, parameters and headers of each call', async () => {
    await createSnapshot({ snapshotName: 'selfsnap-a', clientToken: 'run-1-disk-1' });

    const [record] = emulator.control.requests({ action: 'CreateSnapshot' });
    expect(record?.params).toEqual({
      ClientToken: 'run-1-disk-1',
      DiskId: DATA_DISK,
      SnapshotName: 'selfsnap-a',
    });
    expect(record?.headers['x-acs-version']).toBe('2014-05-26');
    expect(record?.headers['x-acs-security-token']).toBeDefined();
    expect(record?.httpStatus).toBe(200);
  });

  it('moves a snapshot from progressing to Available to accomplished over emulated time', async () => {
    emulator.control.setSnapshotDuration(100_000);
    const id = (await createSnapshot()).body?.snapshotId;
    const read = async () =>
      (await describeSnapshots({ snapshotIds: JSON.stringify([id]) })).body?.snapshots
        ?.snapshot?.[0];

    const start = await read();
    emulator.control.advanceClock(60_000);
    const middle = await read();
    emulator.control.advanceClock(40_000);
    const end = await read();

    expect(start).toMatchObject({
      status: 'progressing',
      progress: '0%',
      available: false,
      remainTime: 100,
    });
    expect(middle).toMatchObject({
      status: 'progressing',
      progress: '60%',
      available: true,
      remainTime: 40,
    });
    expect(end).toMatchObject({
      status: 'accomplished',
      progress: '100%',
      available: true,
      remainTime: 0,
    });
  });

  it('returns the first SnapshotId when a ClientToken is reused with the same parameters', async () => {
    const first = await createSnapshot({ clientToken: 'run-7-d1' });
    const second = await createSnapshot({ clientToken: 'run-7-d1' });

    expect(second.body?.snapshotId).toBe(first.body?.snapshotId);
    expect(emulator.control.snapshots()).toHaveLength(1);
  });

  it('rejects a reused ClientToken with other parameters as IdempotentParameterMismatch', async () => {
    await createSnapshot({ clientToken: 'run-7-d1' });

    await expect(
      createSnapshot({ clientToken: 'run-7-d1', snapshotName: 'selfsnap-other' }),
    ).rejects.toMatchObject({
      code: 'IdempotentParameterMismatch',
      statusCode: 403,
    });
  });

  it('reads every page with MaxResults and NextToken', async () => {
    emulator.control.setSnapshotDuration(0);
    for (let index = 0; index < 25; index += 1) await createSnapshot();

    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await describeSnapshots({ maxResults: 10, nextToken });
      seen.push(
        ...(page.body?.snapshots?.snapshot ?? []).map((snapshot) => snapshot.snapshotId ?? ''),
      );
      nextToken = page.body?.nextToken || undefined;
      pages += 1;
    } while (nextToken !== undefined);

    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(25);
  });

  it('reads every page with PageNumber and PageSize', async () => {
    for (let index = 0; index < 7; index += 1) await createSnapshot();

    const first = await describeSnapshots({ pageNumber: 1, pageSize: 5 });
    const second = await describeSnapshots({ pageNumber: 2, pageSize: 5 });

    expect(first.body).toMatchObject({ totalCount: 7, pageNumber: 1, pageSize: 5 });
    expect(first.body?.snapshots?.snapshot).toHaveLength(5);
    expect(second.body?.snapshots?.snapshot).toHaveLength(2);
  });

  it('filters by disk, status and tag', async () => {
    const tagged = await createSnapshot({
      tag: [new EcsSdk.CreateSnapshotRequestTag({ key: 'selfsnap:run', value: 'r1' })],
    });
    await client.createSnapshot(
      new EcsSdk.CreateSnapshotRequest({ diskId: 'd-bp1selfsnap0dat00002' }),
    );

    const byTag = await describeSnapshots({
      tag: [new EcsSdk.DescribeSnapshotsRequestTag({ key: 'selfsnap:run', value: 'r1' })],
    });
    const byDisk = await describeSnapshots({ diskId: 'd-bp1selfsnap0dat00002' });
    const accomplished = await describeSnapshots({ status: 'accomplished' });

    expect(byTag.body?.snapshots?.snapshot?.map((s) => s.snapshotId)).toEqual([
      tagged.body?.snapshotId,
    ]);
    expect(byDisk.body?.snapshots?.snapshot?.map((s) => s.sourceDiskId)).toEqual([
      'd-bp1selfsnap0dat00002',
    ]);
    expect(accomplished.body?.snapshots?.snapshot).toEqual([]);
  });

  it('deletes a snapshot still in progress, cancelling it', async () => {
    const id = (await createSnapshot()).body?.snapshotId;

    const deleted = await client.deleteSnapshot(
      new EcsSdk.DeleteSnapshotRequest({ snapshotId: id }),
    );

    expect(deleted.body?.requestId).toBeDefined();
    expect(emulator.control.snapshots()).toEqual([]);
  });

  it('answers InvalidSnapshotId.NotFound with 404 when deleting an unknown snapshot', async () => {
    const request = new EcsSdk.DeleteSnapshotRequest({ snapshotId: 's-bp1doesnotexist00000' });

    await expect(client.deleteSnapshot(request)).rejects.toMatchObject({
      code: 'InvalidSnapshotId.NotFound',
      statusCode: 404,
    });
  });

  it('answers InvalidDiskId.NotFound with 404 for an unknown disk', async () => {
    await expect(createSnapshot({ diskId: 'd-bp1doesnotexist00000' })).rejects.toMatchObject({
      code: 'InvalidDiskId.NotFound',
      statusCode: 404,
    });
  });

  it('answers MissingRegionId when DescribeSnapshots lacks RegionId', async () => {
    await expect(
      client.describeSnapshots(new EcsSdk.DescribeSnapshotsRequest({})),
    ).rejects.toMatchObject({
      code: 'MissingRegionId',
      statusCode: 400,
    });
  });
});
