import { ApiError } from '../api-error.js';
import { formatApiTime } from '../ids.js';
import { paginate, readPaging } from '../pagination.js';
import type { Tag } from '../params.js';
import type { DiskRecord } from '../records.js';
import { toApiTags } from '../snapshot-view.js';
import type { ActionContext, ActionDefinition } from './action.js';
import { answerDryRun, requireRegion } from './region.js';

/** Returns whether `tags` contains every filter tag (a filter without value matches any value). */
export function hasTags(tags: readonly Tag[], filter: readonly Tag[]): boolean {
  return filter.every((wanted) =>
    tags.some(
      (tag) => tag.key === wanted.key && (wanted.value === '' || tag.value === wanted.value),
    ),
  );
}

function toApiDisk(disk: DiskRecord, regionId: string): Record<string, unknown> {
  const attached = disk.instanceId !== '';
  const created = formatApiTime(disk.creationTime);
  return {
    DiskId: disk.diskId,
    DiskName: disk.diskName,
    Description: '',
    Category: disk.category,
    Type: disk.type,
    Status: disk.status,
    InstanceId: disk.instanceId,
    Device: attached ? disk.device : '',
    SerialNumber: disk.serialNumber,
    Size: disk.sizeGiB,
    RegionId: regionId,
    ZoneId: disk.zoneId,
    Encrypted: disk.encrypted,
    Portable: disk.portable,
    MultiAttach: disk.multiAttach ? 'Enabled' : 'Disabled',
    PerformanceLevel: disk.category === 'cloud_essd' ? 'PL1' : '',
    DiskChargeType: 'PostPaid',
    DeleteWithInstance: disk.type === 'system',
    DeleteAutoSnapshot: true,
    EnableAutoSnapshot: true,
    CreationTime: created,
    AttachedTime: attached ? created : '',
    ImageId: '',
    SourceSnapshotId: '',
    ResourceGroupId: '',
    Attachments: {
      Attachment: attached
        ? [{ InstanceId: disk.instanceId, Device: disk.device, AttachedTime: created }]
        : [],
    },
    OperationLocks: { OperationLock: [] },
    MountInstances: { MountInstance: [] },
    Tags: toApiTags(disk.tags),
  };
}

function describeDisks(context: ActionContext): Record<string, unknown> {
  const { params, state } = context;
  const regionId = requireRegion(context);
  const instanceId = params.get('InstanceId');
  const diskIds = params.jsonIds('DiskIds', 'InvalidDiskIds.Malformed');
  const diskType = params.oneOf('DiskType', ['all', 'system', 'data'] as const);
  const category = params.get('Category');
  const status = params.get('Status');
  const zoneId = params.get('ZoneId');
  const tags = params.tags();
  const page = readPaging(params, {
    maxResultsMin: 10,
    maxResultsMax: 500,
    clampMaxResults: true,
    defaultSize: 10,
    pageSizeMax: 100,
  });
  answerDryRun(context);
  if (
    status !== undefined &&
    !['In_use', 'Available', 'Attaching', 'Detaching', 'Creating', 'ReIniting', 'All'].includes(
      status,
    )
  ) {
    throw new ApiError(
      400,
      'InvalidStatus.ValueNotSupported',
      `The disk status "${status}" is not supported.`,
    );
  }

  const matching = state
    .listDisks()
    .filter(
      (disk) =>
        (instanceId === undefined || disk.instanceId === instanceId) &&
        (diskIds === undefined || diskIds.includes(disk.diskId)) &&
        (diskType === undefined || diskType === 'all' || disk.type === diskType) &&
        (category === undefined || category === 'all' || disk.category === category) &&
        (status === undefined || status === 'All' || disk.status === status) &&
        (zoneId === undefined || disk.zoneId === zoneId) &&
        hasTags(disk.tags, tags),
    );
  const { items, fields } = paginate(matching, page);
  return { ...fields, Disks: { Disk: items.map((disk) => toApiDisk(disk, regionId)) } };
}

/** DescribeDisks: the disks of the region, filtered and paged. */
export const describeDisksAction: ActionDefinition = {
  name: 'DescribeDisks',
  parameters: [
    'RegionId',
    'ZoneId',
    'InstanceId',
    'DiskIds',
    'DiskType',
    'Category',
    'Status',
    'Tag',
    'DryRun',
    'MaxResults',
    'NextToken',
    'PageNumber',
    'PageSize',
    'DiskName',
    'SnapshotId',
    'Portable',
    'DeleteWithInstance',
    'DeleteAutoSnapshot',
    'EnableAutoSnapshot',
    'EnableAutomatedSnapshotPolicy',
    'EnableShared',
    'Encrypted',
    'KMSKeyId',
    'LockReason',
    'MultiAttach',
    'DiskChargeType',
    'AutoSnapshotPolicyId',
    'ResourceGroupId',
    'AdditionalAttributes',
    'Filter',
  ],
  handle: describeDisks,
};
