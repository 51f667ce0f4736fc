import { describe, expect, it } from 'vitest';

import { expectRejection, tagQuery, withEmulator, type RejectionCase } from './conformance.js';
import { callAction } from './sdk-client.js';

const INSTANCE = 'i-bp1selfsnap0emu0001';
const DISKS = ['d-bp1selfsnap0sys00001', 'd-bp1selfsnap0dat00001', 'd-bp1selfsnap0dat00002'];
const group = (query: Record<string, string>) => ({
  action: 'CreateSnapshotGroup',
  query: { RegionId: 'cn-hangzhou', InstanceId: INSTANCE, ...query },
});
const seededDisks = (overrides: Record<string, unknown>) =>
  DISKS.map((diskId, index) => ({ diskId, ...(index === 1 ? overrides : {}) }));

const GROUP_CASES: RejectionCase[] = [
  {
    name: 'DiskId.N together with ExcludeDiskId.N',
    ...group({ 'DiskId.1': DISKS[1] ?? '', 'ExcludeDiskId.1': DISKS[0] ?? '' }),
    code: 'InvalidParam.ExcludeDiskIdsAndDiskIds.Conflict',
    status: 400,
  },
  {
    name: 'group without RegionId',
    action: 'CreateSnapshotGroup',
    query: { InstanceId: INSTANCE },
    code: 'MissingRegionId',
    status: 400,
  },
  {
    name: 'group without InstanceId or DiskId.N',
    action: 'CreateSnapshotGroup',
    query: { RegionId: 'cn-hangzhou' },
    code: 'MissingInstanceId',
    status: 400,
  },
  {
    name: 'group of an unknown instance',
    ...group({ InstanceId: 'i-bp1doesnotexist00001' }),
    code: 'InvalidInstanceId.NotFound',
    status: 404,
  },
  {
    name: 'group with an unknown disk',
    ...group({ 'DiskId.1': 'd-bp1doesnotexist00000' }),
    code: 'InvalidDiskId.NotFound',
    status: 404,
  },
  {
    name: 'group with a non-ESSD disk',
    ...group({}),
    scenario: { disks: seededDisks({ category: 'cloud_efficiency' }) },
    code: 'DiskCategory.OperationNotSupported',
    status: 400,
  },
  {
    name: 'group with a multi-attach disk',
    ...group({}),
    scenario: { disks: seededDisks({ multiAttach: true }) },
    code: 'InvalidOperation.MultiAttachDisk',
    status: 403,
  },
  {
    name: 'group across zones',
    action: 'CreateSnapshotGroup',
    query: { RegionId: 'cn-hangzhou', 'DiskId.1': DISKS[0] ?? '', 'DiskId.2': DISKS[1] ?? '' },
    scenario: { disks: seededDisks({ zoneId: 'cn-hangzhou-j' }) },
    code: 'InvalidDiskIds.NotInSameZone',
    status: 400,
  },
  {
    name: 'group above the disk-count limit',
    ...group({}),
    scenario: { settings: { snapshotGroupDiskLimit: 2 } },
    code: 'NumberExceed.TooManyDisks',
    status: 403,
  },
  {
    name: 'group that excludes every disk',
    ...group(
      Object.fromEntries(DISKS.map((diskId, index) => [`ExcludeDiskId.${index + 1}`, diskId])),
    ),
    code: 'InvalidInstance.NoDisk',
    status: 403,
  },
  {
    name: 'group while a disk is at its in-progress limit',
    ...group({}),
    scenario: { settings: { essdConcurrentSnapshotLimit: 1 } },
    setup: async (_emulator, client) => {
      await callAction(client, 'CreateSnapshot', { DiskId: DISKS[1] ?? '' });
    },
    code: 'IncorrectDiskStatus.TooManyCreatingSnapshots',
    status: 403,
  },
  {
    name: 'group name starting with a digit',
    ...group({ Name: '1group' }),
    code: 'InvalidName.Malformed',
    status: 400,
  },
  {
    name: 'group with a reserved tag key',
    ...group(tagQuery([['acs:x', 'y']])),
    code: 'InvalidTagKey.Malformed',
    status: 400,
  },
  {
    name: 'DescribeSnapshotGroups with 11 group ids',
    action: 'DescribeSnapshotGroups',
    query: {
      RegionId: 'cn-hangzhou',
      ...Object.fromEntries(
        Array.from({ length: 11 }, (_, i) => [`SnapshotGroupId.${i + 1}`, `ssg-${i}`]),
      ),
    },
    code: 'InvalidParameter',
    status: 400,
  },
  {
    name: 'DescribeSnapshotGroups with an unknown status',
    action: 'DescribeSnapshotGroups',
    query: { RegionId: 'cn-hangzhou', 'Status.1': 'done' },
    code: 'InvalidStatus.ValueNotSupported',
    status: 400,
  },
  {
    name: 'DeleteSnapshotGroup of an unknown group',
    action: 'DeleteSnapshotGroup',
    query: { RegionId: 'cn-hangzhou', SnapshotGroupId: 'ssg-bp1doesnotexist0000' },
    code: 'InvalidSnapshotGroupId.NotFound',
    status: 404,
  },
];

const tags = (action: string, query: Record<string, string>) => ({
  action,
  query: {
    RegionId: 'cn-hangzhou',
    ResourceType: 'disk',
    'ResourceId.1': DISKS[1] ?? '',
    ...query,
  },
});

const TAG_CASES: RejectionCase[] = [
  {
    name: 'TagResources without tags',
    ...tags('TagResources', {}),
    code: 'MissingTag',
    status: 400,
  },
  {
    name: 'TagResources without ResourceType',
    action: 'TagResources',
    query: { RegionId: 'cn-hangzhou', ...tagQuery([['k', 'v']]) },
    code: 'MissingResourceType',
    status: 400,
  },
  {
    name: 'TagResources with an unknown ResourceType',
    ...tags('TagResources', { ResourceType: 'bucket', ...tagQuery([['k', 'v']]) }),
    code: 'InvalidResourceType.NotFound',
    status: 400,
  },
  {
    name: 'TagResources of an unknown snapshot',
    ...tags('TagResources', { ResourceType: 'snapshot', ...tagQuery([['k', 'v']]) }),
    code: 'InvalidResourceId.NotFound',
    status: 404,
  },
  {
    name: 'TagResources with a key starting with aliyun',
    ...tags('TagResources', tagQuery([['aliyun:x', 'v']])),
    code: 'InvalidTagKey.Malformed',
    status: 400,
  },
  {
    name: 'TagResources with a duplicate key',
    ...tags(
      'TagResources',
      tagQuery([
        ['k', 'a'],
        ['k', 'b'],
      ]),
    ),
    code: 'Duplicate.TagKey',
    status: 400,
  },
  {
    name: 'UntagResources without ResourceId',
    action: 'UntagResources',
    query: { RegionId: 'cn-hangzhou', ResourceType: 'snapshot', 'TagKey.1': 'selfsnap:pin' },
    code: 'MissingResourceId',
    status: 400,
  },
  {
    name: 'UntagResources of an unknown snapshot',
    ...tags('UntagResources', { ResourceType: 'snapshot', 'TagKey.1': 'selfsnap:pin' }),
    code: 'InvalidResourceId.NotFound',
    status: 404,
  },
  {
    name: 'ListTagResources without RegionId',
    action: 'ListTagResources',
    query: { ResourceType: 'disk' },
    code: 'MissingRegionId',
    status: 400,
  },
  {
    name: 'ListTagResources with fuzzy TagFilter',
    ...tags('ListTagResources', { 'TagFilter.1.TagKey': 'env*' }),
    code: 'InvalidParameter',
    status: 400,
  },
];

describe('snapshot group and tag conformance', () => {
  it.each(GROUP_CASES)('rejects a $name with $code', expectRejection);
  it.each(TAG_CASES)('rejects a $name with $code', expectRejection);

  it('creates a group across instances from DiskId.N without InstanceId', async () => {
    const scenario = {
      disks: [
        { diskId: DISKS[1] ?? '' },
        { diskId: DISKS[2] ?? '', instanceId: 'i-bp1otherinstance0001' },
      ],
    };
    await withEmulator(scenario, async (emulator, client) => {
      const query = {
        RegionId: 'cn-hangzhou',
        'DiskId.1': DISKS[1] ?? '',
        'DiskId.2': DISKS[2] ?? '',
      };

      const body = await callAction(client, 'CreateSnapshotGroup', query);

      expect(body['SnapshotGroupId']).toMatch(/^ssg-/);
      expect(emulator.control.snapshots()).toHaveLength(2);
    });
  });

  it('puts group tags on members only when the setting says so', async () => {
    const query = {
      RegionId: 'cn-hangzhou',
      InstanceId: INSTANCE,
      ...tagQuery([['selfsnap:run', 'r1']]),
    };
    await withEmulator(undefined, async (emulator, client) => {
      await callAction(client, 'CreateSnapshotGroup', query);

      expect(emulator.control.snapshots().every((snapshot) => snapshot.tags.length === 0)).toBe(
        true,
      );
    });
    await withEmulator(
      { settings: { snapshotGroupTagsOnMembers: true } },
      async (emulator, client) => {
        await callAction(client, 'CreateSnapshotGroup', query);

        const memberTags = emulator.control.snapshots().map((snapshot) => snapshot.tags);
        expect(memberTags).toEqual(DISKS.map(() => [{ key: 'selfsnap:run', value: 'r1' }]));
      },
    );
  });
});
