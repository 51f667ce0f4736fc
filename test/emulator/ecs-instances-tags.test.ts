import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { startEmulator, type Emulator } from './index.js';
import { connectEcsClient, EcsSdk, type EcsClient } from './sdk-client.js';

const DATA_DISK = 'd-bp1selfsnap0dat00001';

describe('ECS DescribeInstances', () => {
  let emulator: Emulator;
  let client: EcsClient;

  beforeEach(async () => {
    emulator = await startEmulator({ scenario: { instance: { tags: { env: 'prod' } } } });
    ({ client } = await connectEcsClient(emulator));
  });

  afterEach(async () => {
    await emulator.close();
  });

  it('returns the instance with its metadata options', async () => {
    const ids = JSON.stringify([emulator.instance.instanceId]);

    const response = await client.describeInstances(
      new EcsSdk.DescribeInstancesRequest({ regionId: 'cn-hangzhou', instanceIds: ids }),
    );
    const instance = response.body?.instances?.instance?.[0];

    expect(response.body?.totalCount).toBe(1);
    expect(instance).toMatchObject({
      instanceId: emulator.instance.instanceId,
      hostName: emulator.instance.hostname,
      zoneId: 'cn-hangzhou-k',
      status: 'Running',
      instanceType: 'ecs.g7.large',
    });
    expect(instance?.metadataOptions?.httpTokens).toBe('required');
    expect(instance?.tags?.tag).toEqual([{ tagKey: 'env', tagValue: 'prod' }]);
  });

  it('returns no instance when the id filter does not match', async () => {
    const ids = JSON.stringify(['i-bp1someoneelse000001']);

    const response = await client.describeInstances(
      new EcsSdk.DescribeInstancesRequest({ regionId: 'cn-hangzhou', instanceIds: ids }),
    );

    expect(response.body?.instances?.instance).toEqual([]);
  });
});

describe('ECS tags', () => {
  let emulator: Emulator;
  let client: EcsClient;

  beforeEach(async () => {
    emulator = await startEmulator();
    ({ client } = await connectEcsClient(emulator));
  });

  afterEach(async () => {
    await emulator.close();
  });

  function tagResources(resourceType: string, resourceId: string[], tags: Record<string, string>) {
    const tag = Object.entries(tags).map(
      ([key, value]) => new EcsSdk.TagResourcesRequestTag({ key, value }),
    );
    return client.tagResources(
      new EcsSdk.TagResourcesRequest({ regionId: 'cn-hangzhou', resourceType, resourceId, tag }),
    );
  }

  function listTags(resourceType: string, resourceId?: string[]) {
    return client.listTagResources(
      new EcsSdk.ListTagResourcesRequest({ regionId: 'cn-hangzhou', resourceType, resourceId }),
    );
  }

  it('adds tags to a snapshot that DescribeSnapshots then shows', async () => {
    const id =
      (await client.createSnapshot(new EcsSdk.CreateSnapshotRequest({ diskId: DATA_DISK }))).body
        ?.snapshotId ?? '';

    await tagResources('snapshot', [id], { 'selfsnap:instance': emulator.instance.instanceId });
    const listed = await listTags('snapshot', [id]);
    const described = await client.describeSnapshots(
      new EcsSdk.DescribeSnapshotsRequest({
        regionId: 'cn-hangzhou',
        tag: [
          new EcsSdk.DescribeSnapshotsRequestTag({
            key: 'selfsnap:instance',
            value: emulator.instance.instanceId,
          }),
        ],
      }),
    );

    expect(listed.body?.tagResources?.tagResource).toEqual([
      {
        resourceId: id,
        resourceType: 'snapshot',
        tagKey: 'selfsnap:instance',
        tagValue: emulator.instance.instanceId,
      },
    ]);
    expect(described.body?.snapshots?.snapshot?.map((snapshot) => snapshot.snapshotId)).toEqual([
      id,
    ]);
  });

  it('overwrites the value of an existing tag key', async () => {
    await tagResources('disk', [DATA_DISK], { role: 'db' });
    await tagResources('disk', [DATA_DISK], { role: 'cache' });

    const listed = await listTags('disk', [DATA_DISK]);

    expect(
      listed.body?.tagResources?.tagResource?.map((row) => `${row.tagKey}=${row.tagValue}`),
    ).toEqual(['role=cache']);
  });

  it('changes nothing when one of the resources does not exist', async () => {
    const call = tagResources('disk', [DATA_DISK, 'd-bp1doesnotexist00000'], { role: 'db' });

    await expect(call).rejects.toMatchObject({
      code: 'InvalidResourceId.NotFound',
      statusCode: 404,
    });
    expect((await listTags('disk', [DATA_DISK])).body?.tagResources?.tagResource).toEqual([]);
  });

  it('rejects a 21st tag on one resource', async () => {
    const twenty = Object.fromEntries(Array.from({ length: 20 }, (_, index) => [`k${index}`, 'v']));
    await tagResources('disk', [DATA_DISK], twenty);

    await expect(tagResources('disk', [DATA_DISK], { extra: 'v' })).rejects.toMatchObject({
      code: 'InvalidTagCount',
      statusCode: 400,
    });
  });

  function untagResources(resourceId: string[], tagKey?: string[], all?: boolean) {
    return client.untagResources(
      new EcsSdk.UntagResourcesRequest({
        regionId: 'cn-hangzhou',
        resourceType: 'disk',
        resourceId,
        tagKey,
        all,
      }),
    );
  }

  async function diskTags(): Promise<string[]> {
    const rows = (await listTags('disk', [DATA_DISK])).body?.tagResources?.tagResource ?? [];
    return rows.map((row) => `${row.tagKey}=${row.tagValue}`);
  }

  it('removes only the named keys when TagKey.N is given', async () => {
    await tagResources('disk', [DATA_DISK], { role: 'db', env: 'prod', pin: '' });

    await untagResources([DATA_DISK], ['pin', 'absent']);

    expect(await diskTags()).toEqual(['role=db', 'env=prod']);
  });

  it('removes every tag only when All is set without TagKey.N', async () => {
    await tagResources('disk', [DATA_DISK], { role: 'db' });

    await untagResources([DATA_DISK]);
    const afterNeither = await diskTags();
    await untagResources([DATA_DISK], undefined, true);

    expect(afterNeither).toEqual(['role=db']);
    expect(await diskTags()).toEqual([]);
  });

  it('removes nothing when one of the resources does not exist', async () => {
    await tagResources('disk', [DATA_DISK], { role: 'db' });

    const call = untagResources([DATA_DISK, 'd-bp1doesnotexist00000'], ['role']);

    await expect(call).rejects.toMatchObject({
      code: 'InvalidResourceId.NotFound',
      statusCode: 404,
    });
    expect(await diskTags()).toEqual(['role=db']);
  });
});
