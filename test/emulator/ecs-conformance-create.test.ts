import { describe, expect, it } from 'vitest';

import { expectRejection, tagQuery, withEmulator, type RejectionCase } from './conformance.js';
import { callAction } from './sdk-client.js';

const DISK = 'd-bp1selfsnap0dat00001';
const create = (query: Record<string, string>) => ({
  action: 'CreateSnapshot',
  query: { DiskId: DISK, ...query },
});
const manyTags = (count: number) =>
  tagQuery(Array.from({ length: count }, (_, index): [string, string] => [`k${index}`, 'v']));

const VALIDATION_CASES: RejectionCase[] = [
  {
    name: 'name of one character',
    ...create({ SnapshotName: 'a' }),
    code: 'InvalidSnapshotName.Malformed',
    status: 400,
  },
  {
    name: 'name of 129 characters',
    ...create({ SnapshotName: `a${'b'.repeat(128)}` }),
    code: 'InvalidSnapshotName.Malformed',
    status: 400,
  },
  {
    name: 'name starting with a digit',
    ...create({ SnapshotName: '1backup' }),
    code: 'InvalidSnapshotName.Malformed',
    status: 400,
  },
  {
    name: 'name starting with auto',
    ...create({ SnapshotName: 'autoBackup' }),
    code: 'InvalidSnapshotName.Malformed',
    status: 400,
  },
  {
    name: 'name starting with http://',
    ...create({ SnapshotName: 'http://x' }),
    code: 'InvalidSnapshotName.Malformed',
    status: 400,
  },
  {
    name: 'name with a space',
    ...create({ SnapshotName: 'my backup' }),
    code: 'InvalidSnapshotName.Malformed',
    status: 400,
  },
  {
    name: 'description of one character',
    ...create({ Description: 'x' }),
    code: 'InvalidDescription.Malformed',
    status: 404,
  },
  {
    name: 'description of 257 characters',
    ...create({ Description: 'x'.repeat(257) }),
    code: 'InvalidDescription.Malformed',
    status: 404,
  },
  {
    name: 'description starting with https://',
    ...create({ Description: 'https://example' }),
    code: 'InvalidDescription.Malformed',
    status: 404,
  },
  {
    name: 'RetentionDays 0',
    ...create({ RetentionDays: '0' }),
    code: 'InvalidRetentionDays.Malformed',
    status: 400,
  },
  {
    name: 'RetentionDays 65537',
    ...create({ RetentionDays: '65537' }),
    code: 'InvalidRetentionDays.Malformed',
    status: 400,
  },
  {
    name: 'RetentionDays not a number',
    ...create({ RetentionDays: 'week' }),
    code: 'InvalidRetentionDays.Malformed',
    status: 400,
  },
  {
    name: 'tag key starting with aliyun',
    ...create(tagQuery([['aliyunTeam', 'x']])),
    code: 'InvalidTagKey.Malformed',
    status: 400,
  },
  {
    name: 'tag key starting with acs:',
    ...create(tagQuery([['acs:team', 'x']])),
    code: 'InvalidTagKey.Malformed',
    status: 400,
  },
  {
    name: 'tag key of 129 characters',
    ...create(tagQuery([['k'.repeat(129), 'x']])),
    code: 'InvalidTagKey.Malformed',
    status: 400,
  },
  {
    name: 'tag key containing http://',
    ...create(tagQuery([['see-http://x', 'x']])),
    code: 'InvalidTagKey.Malformed',
    status: 400,
  },
  {
    name: 'tag value without a key',
    ...create({ 'Tag.1.Value': 'x' }),
    code: 'InvalidTagKey.Malformed',
    status: 400,
  },
  {
    name: 'tag value of 129 characters',
    ...create(tagQuery([['team', 'v'.repeat(129)]])),
    code: 'InvalidTagValue.Malformed',
    status: 400,
  },
  {
    name: 'tag value starting with acs:',
    ...create(tagQuery([['team', 'acs:x']])),
    code: 'InvalidTagValue.Malformed',
    status: 400,
  },
  {
    name: 'the same tag key twice',
    ...create(
      tagQuery([
        ['team', 'a'],
        ['team', 'b'],
      ]),
    ),
    code: 'Duplicate.TagKey',
    status: 400,
  },
  { name: '21 tags', ...create(manyTags(21)), code: 'InvalidTagCount', status: 400 },
  {
    name: 'ClientToken of 65 characters',
    ...create({ ClientToken: 't'.repeat(65) }),
    code: 'InvalidClientToken.Malformed',
    status: 403,
  },
  {
    name: 'ClientToken with non-ASCII',
    ...create({ ClientToken: 'lauf-ü' }),
    code: 'InvalidClientToken.Malformed',
    status: 403,
  },
  {
    name: 'missing DiskId',
    action: 'CreateSnapshot',
    query: {},
    code: 'MissingDiskId',
    status: 400,
  },
  {
    name: 'unknown disk',
    ...create({ DiskId: 'd-bp1doesnotexist00000' }),
    code: 'InvalidDiskId.NotFound',
    status: 404,
  },
  {
    name: 'unknown parameter',
    ...create({ SnapshotLabel: 'x' }),
    code: 'InvalidParameter',
    status: 400,
  },
  {
    name: 'RegionId, which CreateSnapshot does not take',
    ...create({ RegionId: 'cn-hangzhou' }),
    code: 'InvalidParameter',
    status: 400,
  },
];

const startSnapshot = async (
  _emulator: unknown,
  client: Parameters<NonNullable<RejectionCase['setup']>>[1],
) => {
  await callAction(client, 'CreateSnapshot', { DiskId: DISK });
};

const PRECONDITION_CASES: RejectionCase[] = [
  {
    name: 'disk that was never attached',
    ...create({}),
    scenario: {
      disks: [{ diskId: DISK, status: 'Available', instanceId: '', everAttached: false }],
    },
    code: 'IncorrectDiskStatus.NeverAttached',
    status: 403,
  },
  {
    name: 'disk that is detaching',
    ...create({}),
    scenario: { disks: [{ diskId: DISK, status: 'Detaching' }] },
    code: 'IncorrectDiskStatus',
    status: 403,
  },
  {
    name: 'instance that is starting',
    ...create({}),
    scenario: { instance: { status: 'Starting' }, disks: [{ diskId: DISK }] },
    code: 'IncorrectInstanceStatus',
    status: 400,
  },
  {
    name: 'local disk',
    ...create({}),
    scenario: { disks: [{ diskId: DISK, category: 'ephemeral_ssd' }] },
    code: 'DiskCategory.OperationNotSupported',
    status: 400,
  },
  {
    name: 'second snapshot in progress on a non-ESSD disk',
    ...create({}),
    scenario: { disks: [{ diskId: DISK, category: 'cloud_efficiency' }] },
    setup: startSnapshot,
    code: 'IncorrectDiskStatus.CreatingSnapshot',
    status: 403,
  },
  {
    name: 'ESSD disk at its in-progress limit',
    ...create({}),
    scenario: { settings: { essdConcurrentSnapshotLimit: 1 } },
    setup: startSnapshot,
    code: 'QuotaExceed.ConcurrentSnapshotQuota',
    status: 403,
  },
  {
    name: 'disk at its manual snapshot quota',
    ...create({}),
    scenario: { settings: { manualSnapshotQuotaPerDisk: 1 }, snapshots: [{ diskId: DISK }] },
    code: 'QuotaExceed.Snapshot',
    status: 403,
  },
  {
    name: 'role without CreateSnapshot',
    ...create({}),
    scenario: { settings: { allowedActions: ['DescribeDisks'] } },
    code: 'Forbidden.RAM',
    status: 403,
  },
];

const SNAPSHOT_ID = 's-bp1seeded0000000001';
const DELETE_CASES: RejectionCase[] = [
  {
    name: 'snapshot that backs an image',
    action: 'DeleteSnapshot',
    query: { SnapshotId: SNAPSHOT_ID, Force: 'true' },
    scenario: { snapshots: [{ snapshotId: SNAPSHOT_ID, diskId: DISK, usage: 'image' }] },
    code: 'SnapshotCreatedImage',
    status: 403,
  },
  {
    name: 'snapshot that backs a disk, without Force',
    action: 'DeleteSnapshot',
    query: { SnapshotId: SNAPSHOT_ID },
    scenario: { snapshots: [{ snapshotId: SNAPSHOT_ID, diskId: DISK, usage: 'disk' }] },
    code: 'SnapshotCreatedDisk',
    status: 403,
  },
  {
    name: 'missing SnapshotId',
    action: 'DeleteSnapshot',
    query: {},
    code: 'MissingSnapshotId',
    status: 400,
  },
  {
    name: 'unknown snapshot to rename',
    action: 'ModifySnapshotAttribute',
    query: { SnapshotId: SNAPSHOT_ID, SnapshotName: 'renamed' },
    code: 'InvalidSnapshotId.NotFound',
    status: 404,
  },
  {
    name: 'rename to an invalid name',
    action: 'ModifySnapshotAttribute',
    query: { SnapshotId: SNAPSHOT_ID, SnapshotName: 'auto-renamed' },
    scenario: { snapshots: [{ snapshotId: SNAPSHOT_ID, diskId: DISK }] },
    code: 'InvalidSnapshotName.Malformed',
    status: 400,
  },
];

describe('CreateSnapshot conformance', () => {
  it.each(VALIDATION_CASES)('rejects a $name with $code', expectRejection);
  it.each(PRECONDITION_CASES)('rejects a $name with $code', expectRejection);

  it('accepts a name with letters, digits and :_.-', async () => {
    await withEmulator(undefined, async (_emulator, client) => {
      const body = await callAction(client, 'CreateSnapshot', {
        DiskId: DISK,
        SnapshotName: 'selfsnap-nightly:2026.12_04',
      });

      expect(body['SnapshotId']).toMatch(/^s-/);
    });
  });

  it('ignores automatic snapshots when counting the manual quota', async () => {
    const scenario = {
      settings: { manualSnapshotQuotaPerDisk: 1 },
      snapshots: [{ diskId: DISK, type: 'auto' as const }],
    };
    await withEmulator(scenario, async (_emulator, client) => {
      const body = await callAction(client, 'CreateSnapshot', { DiskId: DISK });

      expect(body['SnapshotId']).toMatch(/^s-/);
    });
  });
});

describe('DeleteSnapshot and ModifySnapshotAttribute conformance', () => {
  it.each(DELETE_CASES)('rejects a $name with $code', expectRejection);

  it('deletes a snapshot that backs a disk when Force is true', async () => {
    const scenario = {
      snapshots: [{ snapshotId: SNAPSHOT_ID, diskId: DISK, usage: 'disk' as const }],
    };
    await withEmulator(scenario, async (emulator, client) => {
      await callAction(client, 'DeleteSnapshot', { SnapshotId: SNAPSHOT_ID, Force: 'true' });

      expect(emulator.control.snapshots()).toEqual([]);
    });
  });

  it('succeeds deleting an unknown snapshot when set to ignore', async () => {
    await withEmulator(
      { settings: { missingSnapshotOnDelete: 'ignore' } },
      async (_emulator, client) => {
        const body = await callAction(client, 'DeleteSnapshot', { SnapshotId: SNAPSHOT_ID });

        expect(body['RequestId']).toBeDefined();
      },
    );
  });

  it('renames a snapshot and changes its retention', async () => {
    const scenario = { snapshots: [{ snapshotId: SNAPSHOT_ID, diskId: DISK, name: 'old-name' }] };
    await withEmulator(scenario, async (emulator, client) => {
      await callAction(client, 'ModifySnapshotAttribute', {
        SnapshotId: SNAPSHOT_ID,
        SnapshotName: 'new-name',
        RetentionDays: '30',
      });

      expect(emulator.control.snapshots()[0]).toMatchObject({
        snapshotName: 'new-name',
        retentionDays: 30,
      });
    });
  });
});
