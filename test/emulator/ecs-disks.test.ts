import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { startEmulator, type Emulator } from './index.js';
import { connectEcsClient, EcsSdk, type EcsClient } from './sdk-client.js';

describe('ECS DescribeDisks', () => {
  let emulator: Emulator;
  let client: EcsClient;

  beforeEach(async () => {
    const disks = Array.from({ length: 23 }, (_, index) => ({
      diskId: `d-bp1pagetest${String(index).padStart(8, '0')}`,
      type: index === 0 ? ('system' as const) : ('data' as const),
    }));
    emulator = await startEmulator({ scenario: { disks } });
    ({ client } = await connectEcsClient(emulator));
  });

  afterEach(async () => {
    await emulator.close();
  });

  function describeDisks(fields: Partial<EcsSdk.DescribeDisksRequest> = {}) {
    return client.describeDisks(
      new EcsSdk.DescribeDisksRequest({ regionId: 'cn-hangzhou', ...fields }),
    );
  }

  it('returns the instance disks with the fields the SDK parses', async () => {
    const response = await describeDisks({
      instanceId: emulator.instance.instanceId,
      diskType: 'system',
    });
    const disk = response.body?.disks?.disk?.[0];

    expect(response.body?.disks?.disk).toHaveLength(1);
    expect(disk).toMatchObject({
      diskId: 'd-bp1pagetest00000000',
      serialNumber: 'bp1pagetest00000000',
      category: 'cloud_essd',
      type: 'system',
      status: 'In_use',
      instanceId: emulator.instance.instanceId,
      zoneId: 'cn-hangzhou-k',
      size: 40,
    });
  });

  it('clamps MaxResults to 10 and reads every page with NextToken', async () => {
    const sizes: number[] = [];
    let nextToken: string | undefined;
    do {
      const page = await describeDisks({ maxResults: 1, nextToken });
      sizes.push(page.body?.disks?.disk?.length ?? 0);
      nextToken = page.body?.nextToken || undefined;
    } while (nextToken !== undefined);

    expect(sizes).toEqual([10, 10, 3]);
  });

  it('filters by a DiskIds JSON list', async () => {
    const ids = ['d-bp1pagetest00000003', 'd-bp1pagetest00000007'];

    const response = await describeDisks({ diskIds: JSON.stringify(ids) });

    expect(response.body?.disks?.disk?.map((disk) => disk.diskId)).toEqual(ids);
  });

  it('rejects a DiskIds value that is not a JSON list', async () => {
    await expect(describeDisks({ diskIds: 'd-1,d-2' })).rejects.toMatchObject({
      code: 'InvalidDiskIds.Malformed',
      statusCode: 400,
    });
  });
});
