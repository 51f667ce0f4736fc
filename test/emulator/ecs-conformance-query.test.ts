import { describe, expect, it } from 'vitest';

import { expectRejection, withEmulator, type RejectionCase } from './conformance.js';
import { callAction } from './sdk-client.js';

const REGION = { RegionId: 'cn-hangzhou' };
const ids = (count: number, prefix: string) =>
  JSON.stringify(Array.from({ length: count }, (_, index) => `${prefix}-bp1id${index}`));
const snapshots = (query: Record<string, string>) => ({
  action: 'DescribeSnapshots',
  query: { ...REGION, ...query },
});

const DESCRIBE_SNAPSHOTS_CASES: RejectionCase[] = [
  {
    name: 'missing RegionId',
    action: 'DescribeSnapshots',
    query: {},
    code: 'MissingRegionId',
    status: 400,
  },
  {
    name: 'region the endpoint does not serve',
    ...snapshots({ RegionId: 'cn-beijing' }),
    code: 'InvalidRegionId.NotFound',
    status: 404,
  },
  {
    name: 'Status outside the documented values',
    ...snapshots({ Status: 'done' }),
    code: 'InvalidStatus.NotFound',
    status: 404,
  },
  {
    name: 'SnapshotType outside the documented values',
    ...snapshots({ SnapshotType: 'manual' }),
    code: 'InvalidParameter',
    status: 400,
  },
  {
    name: 'SourceDiskType outside the documented values',
    ...snapshots({ SourceDiskType: 'boot' }),
    code: 'InvalidSourceDiskType',
    status: 404,
  },
  {
    name: 'Usage outside the documented values',
    ...snapshots({ Usage: 'backup' }),
    code: 'InvalidUsage',
    status: 404,
  },
  {
    name: 'filter key other than the creation times',
    ...snapshots({ 'Filter.1.Key': 'Size', 'Filter.1.Value': '1' }),
    code: 'InvalidFilterKey.NotFound',
    status: 404,
  },
  {
    name: 'creation time filter in another format',
    ...snapshots({ 'Filter.1.Key': 'CreationStartTime', 'Filter.1.Value': '2026-12-04' }),
    code: 'InvalidFilterValue',
    status: 400,
  },
  {
    name: 'SnapshotIds that is not JSON',
    ...snapshots({ SnapshotIds: 's-1,s-2' }),
    code: 'InvalidSnapshotIds.Malformed',
    status: 403,
  },
  {
    name: 'SnapshotIds with 101 ids',
    ...snapshots({ SnapshotIds: ids(101, 's') }),
    code: 'InvalidSnapshotIds.Malformed',
    status: 403,
  },
  {
    name: 'MaxResults of 101',
    ...snapshots({ MaxResults: '101' }),
    code: 'InvalidParameter',
    status: 400,
  },
  {
    name: 'PageSize of 101',
    ...snapshots({ PageSize: '101' }),
    code: 'InvalidParameter',
    status: 400,
  },
  {
    name: 'PageNumber of 0',
    ...snapshots({ PageNumber: '0' }),
    code: 'InvalidParameter',
    status: 400,
  },
  {
    name: 'NextToken it never issued',
    ...snapshots({ NextToken: 'abc' }),
    code: 'InvalidNextToken.Malformed',
    status: 400,
  },
  {
    name: 'tag value without a key',
    ...snapshots({ 'Tag.1.Value': 'x' }),
    code: 'InvalidTag.Mismatch',
    status: 400,
  },
  {
    name: 'tag index of 21',
    ...snapshots({ 'Tag.21.Key': 'k', 'Tag.21.Value': 'v' }),
    code: 'InvalidTagCount',
    status: 400,
  },
  {
    name: 'DryRun that would pass',
    ...snapshots({ DryRun: 'true' }),
    code: 'DryRunOperation',
    status: 400,
  },
  {
    name: 'unknown parameter',
    ...snapshots({ SortBy: 'CreationTime' }),
    code: 'InvalidParameter',
    status: 400,
  },
];

const OTHER_DESCRIBE_CASES: RejectionCase[] = [
  {
    name: 'DescribeDisks without RegionId',
    action: 'DescribeDisks',
    query: {},
    code: 'MissingRegionId',
    status: 400,
  },
  {
    name: 'DescribeDisks with DiskIds of 101 ids',
    action: 'DescribeDisks',
    query: { ...REGION, DiskIds: ids(101, 'd') },
    code: 'InvalidDiskIds.Malformed',
    status: 400,
  },
  {
    name: 'DescribeDisks with an unknown DiskType',
    action: 'DescribeDisks',
    query: { ...REGION, DiskType: 'boot' },
    code: 'InvalidParameter',
    status: 400,
  },
  {
    name: 'DescribeDisks with an unknown Status',
    action: 'DescribeDisks',
    query: { ...REGION, Status: 'Broken' },
    code: 'InvalidStatus.ValueNotSupported',
    status: 400,
  },
  {
    name: 'DescribeInstances without RegionId',
    action: 'DescribeInstances',
    query: {},
    code: 'MissingRegionId',
    status: 400,
  },
  {
    name: 'DescribeInstances with malformed InstanceIds',
    action: 'DescribeInstances',
    query: { ...REGION, InstanceIds: 'i-1' },
    code: 'InvalidInstanceIds.Malformed',
    status: 400,
  },
  {
    name: 'action it does not implement',
    action: 'DescribeImages',
    query: REGION,
    code: 'InvalidAction.NotFound',
    status: 404,
  },
];

const GATEWAY_CASES: RejectionCase[] = [
  {
    name: 'call above the per-minute limit',
    action: 'DescribeDisks',
    query: REGION,
    scenario: { settings: { flowControlPerMinute: { DescribeDisks: 0 } } },
    code: 'Throttling.User',
    status: 400,
  },
  {
    name: 'call the role may not make',
    action: 'DescribeSnapshots',
    query: REGION,
    scenario: { settings: { allowedActions: ['DescribeDisks'] } },
    code: 'Forbidden.RAM',
    status: 403,
  },
];

describe('Describe actions conformance', () => {
  it.each(DESCRIBE_SNAPSHOTS_CASES)('rejects a $name with $code', expectRejection);
  it.each(OTHER_DESCRIBE_CASES)('rejects a $name with $code', expectRejection);
  it.each(GATEWAY_CASES)('rejects a $name with $code', expectRejection);

  it('matches SourceDiskType case-insensitively', async () => {
    const scenario = {
      snapshots: [{ diskId: 'd-bp1selfsnap0sys00001' }, { diskId: 'd-bp1selfsnap0dat00001' }],
    };
    await withEmulator(scenario, async (_emulator, client) => {
      const body = await callAction(client, 'DescribeSnapshots', {
        ...REGION,
        SourceDiskType: 'System',
      });

      const listed = (body['Snapshots'] as { Snapshot: Array<{ SourceDiskId: string }> }).Snapshot;
      expect(listed.map((snapshot) => snapshot.SourceDiskId)).toEqual(['d-bp1selfsnap0sys00001']);
    });
  });

  it('filters by the creation time window', async () => {
    const scenario = {
      snapshots: [
        { diskId: 'd-bp1selfsnap0dat00001', name: 'old', createdAgo: '3d' },
        { diskId: 'd-bp1selfsnap0dat00001', name: 'recent', createdAgo: '1h' },
      ],
    };
    await withEmulator(scenario, async (_emulator, client) => {
      const start = new Date(Date.now() - 86_400_000).toISOString().slice(0, 16) + 'Z';
      const query = { ...REGION, 'Filter.1.Key': 'CreationStartTime', 'Filter.1.Value': start };

      const body = await callAction(client, 'DescribeSnapshots', query);

      const listed = (body['Snapshots'] as { Snapshot: Array<{ SnapshotName: string }> }).Snapshot;
      expect(listed.map((snapshot) => snapshot.SnapshotName)).toEqual(['recent']);
    });
  });

  it('passes again from the next minute after throttling', async () => {
    const scenario = { settings: { flowControlPerMinute: { DescribeDisks: 1 } } };
    await withEmulator(scenario, async (emulator, client) => {
      const secondsLeft = 60 - new Date(emulator.control.clock().now).getUTCSeconds();
      await callAction(client, 'DescribeDisks', REGION);
      await expect(callAction(client, 'DescribeDisks', REGION)).rejects.toMatchObject({
        code: 'Throttling.User',
      });
      await expect(callAction(client, 'DescribeSnapshots', REGION)).resolves.toBeDefined();

      emulator.control.advanceClock(secondsLeft * 1000);

      await expect(callAction(client, 'DescribeDisks', REGION)).resolves.toBeDefined();
    });
  });

  it("lists automatic and other instances' snapshots by SnapshotType and InstanceId", async () => {
    const scenario = {
      snapshots: [
        { diskId: 'd-bp1selfsnap0dat00001', type: 'auto' as const, name: 'auto-policy' },
        { diskId: 'd-bp1otherdisk00000001', instanceId: 'i-bp1otherinstance0001', name: 'foreign' },
        { diskId: 'd-bp1selfsnap0dat00001', name: 'console-made' },
      ],
    };
    await withEmulator(scenario, async (emulator, client) => {
      const names = async (query: Record<string, string>) => {
        const body = await callAction(client, 'DescribeSnapshots', { ...REGION, ...query });
        return (body['Snapshots'] as { Snapshot: Array<{ SnapshotName: string }> }).Snapshot.map(
          (s) => s.SnapshotName,
        ).sort();
      };

      expect(await names({ SnapshotType: 'auto' })).toEqual(['auto-policy']);
      expect(await names({ InstanceId: emulator.instance.instanceId })).toEqual([
        'auto-policy',
        'console-made',
      ]);
      expect(await names({ SnapshotType: 'all' })).toEqual([
        'auto-policy',
        'console-made',
        'foreign',
      ]);
    });
  });
});
