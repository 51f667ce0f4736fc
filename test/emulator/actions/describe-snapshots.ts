import { ApiError } from '../api-error.js';
import { paginate, readPaging } from '../pagination.js';
import type { SnapshotRecord } from '../records.js';
import { snapshotProgressAt, toApiSnapshot } from '../snapshot-view.js';
import type { ActionContext, ActionDefinition } from './action.js';
import { hasTags } from './disks.js';
import { answerDryRun, requireRegion } from './region.js';

type SnapshotFilter = (snapshot: SnapshotRecord) => boolean;

/** Reads `Filter.N.Key`/`Filter.N.Value`; only the creation-time bounds exist. */
function readCreationTimeFilters(context: ActionContext): SnapshotFilter[] {
  const filters: SnapshotFilter[] = [];
  for (let index = 1; context.params.get(`Filter.${index}.Key`) !== undefined; index += 1) {
    const key = context.params.get(`Filter.${index}.Key`) as string;
    const value = context.params.get(`Filter.${index}.Value`) ?? '';
    if (key !== 'CreationStartTime' && key !== 'CreationEndTime') {
      throw new ApiError(
        404,
        'InvalidFilterKey.NotFound',
        `The filter key "${key}" is not supported; use CreationStartTime or CreationEndTime.`,
      );
    }
    const bound = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$/.test(value) ? Date.parse(value) : NaN;
    if (Number.isNaN(bound)) {
      throw new ApiError(
        400,
        'InvalidFilterValue',
        `The value "${value}" of filter ${key} is not in the yyyy-MM-ddTHH:mmZ format.`,
      );
    }
    filters.push(
      key === 'CreationStartTime'
        ? (snapshot) => snapshot.createdAtMs >= bound
        : (snapshot) => snapshot.createdAtMs <= bound,
    );
  }
  return filters;
}

function readFilters(context: ActionContext): SnapshotFilter[] {
  const { params, now } = context;
  const instanceId = params.get('InstanceId');
  const diskId = params.get('DiskId');
  const snapshotIds = params.jsonIds('SnapshotIds', 'InvalidSnapshotIds.Malformed', 403);
  const snapshotName = params.get('SnapshotName');
  const status = params.oneOf(
    'Status',
    ['progressing', 'accomplished', 'failed', 'all'] as const,
    new ApiError(
      404,
      'InvalidStatus.NotFound',
      `The snapshot status "${params.get('Status')}" is not supported.`,
    ),
  );
  const snapshotType = params.oneOf('SnapshotType', ['auto', 'user', 'all'] as const);
  const sourceDiskType = params.get('SourceDiskType')?.toLowerCase();
  if (sourceDiskType !== undefined && sourceDiskType !== 'system' && sourceDiskType !== 'data') {
    throw new ApiError(
      404,
      'InvalidSourceDiskType',
      `The SourceDiskType "${params.get('SourceDiskType')}" must be System or Data.`,
    );
  }
  const usage = params.oneOf(
    'Usage',
    ['image', 'disk', 'image_disk', 'none'] as const,
    new ApiError(
      404,
      'InvalidUsage',
      `The Usage "${params.get('Usage')}" must be image, disk, image_disk or none.`,
    ),
  );
  const tags = params.tags('Tag', 20, 'InvalidTag.Mismatch');

  const filters: SnapshotFilter[] = [
    (snapshot) => instanceId === undefined || snapshot.instanceId === instanceId,
    (snapshot) => diskId === undefined || snapshot.sourceDiskId === diskId,
    (snapshot) => snapshotIds === undefined || snapshotIds.includes(snapshot.snapshotId),
    (snapshot) => snapshotName === undefined || snapshot.snapshotName === snapshotName,
    (snapshot) =>
      status === undefined ||
      status === 'all' ||
      snapshotProgressAt(snapshot, now).status === status,
    (snapshot) =>
      snapshotType === undefined ||
      snapshotType === 'all' ||
      snapshot.snapshotType === snapshotType,
    (snapshot) => sourceDiskType === undefined || snapshot.sourceDiskType === sourceDiskType,
    (snapshot) => usage === undefined || snapshot.usage === usage,
    (snapshot) => hasTags(snapshot.tags, tags),
  ];
  return [...filters, ...readCreationTimeFilters(context)];
}

function describeSnapshots(context: ActionContext): Record<string, unknown> {
  const regionId = requireRegion(context);
  const filters = readFilters(context);
  const page = readPaging(context.params, {
    maxResultsMin: 1,
    maxResultsMax: 100,
    clampMaxResults: false,
    defaultSize: 10,
    pageSizeMax: 100,
  });
  answerDryRun(context);

  const matching = context.state
    .listSnapshots()
    .filter((snapshot) => filters.every((keep) => keep(snapshot)));
  const { items, fields } = paginate(matching, page);
  const snapshots = items.map((snapshot) => toApiSnapshot(snapshot, context.now, regionId));
  return { ...fields, Snapshots: { Snapshot: snapshots } };
}

/** DescribeSnapshots: the region's snapshots, filtered and paged either way. */
export const describeSnapshotsAction: ActionDefinition = {
  name: 'DescribeSnapshots',
  parameters: [
    'RegionId',
    'InstanceId',
    'DiskId',
    'SnapshotIds',
    'SnapshotName',
    'Status',
    'SnapshotType',
    'SourceDiskType',
    'Usage',
    'Tag',
    'Filter',
    'DryRun',
    'MaxResults',
    'NextToken',
    'PageNumber',
    'PageSize',
    'Category',
    'Encrypted',
    'KMSKeyId',
    'ResourceGroupId',
    'SnapshotLinkId',
  ],
  handle: describeSnapshots,
};
