import { ApiError } from '../api-error.js';
import { formatApiTime } from '../ids.js';
import { paginate, readPaging } from '../pagination.js';
import type { Tag } from '../params.js';
import type { SnapshotGroupRecord, SnapshotRecord } from '../records.js';
import { snapshotProgressAt } from '../snapshot-view.js';
import type { ActionContext, ActionDefinition } from './action.js';
import { hasTags } from './disks.js';
import { requireRegion } from './region.js';
import { removeSnapshot } from './snapshots.js';

const GROUP_STATUSES = ['progressing', 'accomplished', 'failed'] as const;

/** Wraps tags the way DescribeSnapshotGroups does: `{Tag: [{Key, Value}]}`. */
function toGroupTags(tags: readonly Tag[]): { Tag: Array<{ Key: string; Value: string }> } {
  return { Tag: tags.map((tag) => ({ Key: tag.key, Value: tag.value })) };
}

function groupMembers(context: ActionContext, group: SnapshotGroupRecord): SnapshotRecord[] {
  return group.snapshotIds
    .map((id) => context.state.snapshots.get(id))
    .filter((snapshot): snapshot is SnapshotRecord => snapshot !== undefined);
}

/** Derives a group's status: failed if any member failed, accomplished once all are. */
function groupStatus(
  context: ActionContext,
  members: readonly SnapshotRecord[],
): (typeof GROUP_STATUSES)[number] {
  const statuses = members.map((snapshot) => snapshotProgressAt(snapshot, context.now).status);
  if (statuses.includes('failed')) return 'failed';
  return statuses.every((status) => status === 'accomplished') ? 'accomplished' : 'progressing';
}

function toApiGroup(context: ActionContext, group: SnapshotGroupRecord): Record<string, unknown> {
  const members = groupMembers(context, group);
  const snapshots = members.map((snapshot) => {
    const progress = snapshotProgressAt(snapshot, context.now);
    return {
      SnapshotId: snapshot.snapshotId,
      SourceDiskId: snapshot.sourceDiskId,
      SourceDiskType: snapshot.sourceDiskType,
      Progress: `${progress.percent}%`,
      Available: progress.available,
      InstantAccess: false,
      InstantAccessRetentionDays: 0,
      Tags: toGroupTags(snapshot.tags),
    };
  });
  return {
    SnapshotGroupId: group.snapshotGroupId,
    Name: group.name,
    Description: group.description,
    InstanceId: group.instanceId,
    CreationTime: formatApiTime(group.createdAtMs),
    Status: groupStatus(context, members),
    ProgressStatus: '',
    ResourceGroupId: '',
    Tags: toGroupTags(group.tags),
    Snapshots: { Snapshot: snapshots },
  };
}

function describeSnapshotGroups(context: ActionContext): Record<string, unknown> {
  const { params, state } = context;
  requireRegion(context);
  const instanceId = params.get('InstanceId');
  const name = params.get('Name');
  const groupIds = params.indexedList('SnapshotGroupId', 10);
  const statuses = params.indexedList('Status', 3);
  for (const status of statuses) {
    if (!(GROUP_STATUSES as readonly string[]).includes(status)) {
      throw new ApiError(
        400,
        'InvalidStatus.ValueNotSupported',
        `The snapshot group status "${status}" must be progressing, accomplished or failed.`,
      );
    }
  }
  const tags = params.tags();
  const page = readPaging(params, {
    maxResultsMin: 1,
    maxResultsMax: 100,
    clampMaxResults: false,
    defaultSize: 10,
    pageSizeMax: undefined,
  });

  const matching = [...state.snapshotGroups.values()]
    .sort((a, b) => b.createdAtMs - a.createdAtMs)
    .filter(
      (group) =>
        (instanceId === undefined || group.instanceId === instanceId) &&
        (name === undefined || group.name === name) &&
        (groupIds.length === 0 || groupIds.includes(group.snapshotGroupId)) &&
        (statuses.length === 0 ||
          statuses.includes(groupStatus(context, groupMembers(context, group)))) &&
        hasTags(group.tags, tags),
    );
  const { items, fields } = paginate(matching, page);
  // This action returns no TotalCount, unlike DescribeSnapshots.
  return {
    NextToken: fields['NextToken'],
    SnapshotGroups: { SnapshotGroup: items.map((group) => toApiGroup(context, group)) },
  };
}

function deleteSnapshotGroup(context: ActionContext): Record<string, unknown> {
  requireRegion(context);
  const groupId = context.params.required('SnapshotGroupId');
  const group = context.state.snapshotGroups.get(groupId);
  if (group === undefined) {
    throw new ApiError(
      404,
      'InvalidSnapshotGroupId.NotFound',
      `The snapshot group "${groupId}" does not exist.`,
    );
  }

  const progress = groupMembers(context, group).map((snapshot) => {
    const relatedItem = {
      RelatedItemSet: { RelatedItem: [{ Name: 'SnapshotId', Value: snapshot.snapshotId }] },
    };
    // Members that back an image stay as standalone snapshots.
    // NOTE: how the real API reports a kept member is not documented. This Failed entry is a guess.
    if (snapshot.usage === 'image' || snapshot.usage === 'image_disk') {
      snapshot.snapshotGroupId = undefined;
      return {
        OperationStatus: 'Failed',
        ErrorCode: 'SnapshotCreatedImage',
        ErrorMsg: 'The snapshot backs a custom image.',
        ...relatedItem,
      };
    }
    removeSnapshot(context, snapshot, true);
    return { OperationStatus: 'Success', ...relatedItem };
  });
  context.state.snapshotGroups.delete(groupId);
  return { OperationProgressSet: { OperationProgress: progress } };
}

/** DescribeSnapshotGroups: snapshot groups with their member snapshots, paged by NextToken. */
export const describeSnapshotGroupsAction: ActionDefinition = {
  name: 'DescribeSnapshotGroups',
  parameters: [
    'RegionId',
    'InstanceId',
    'Name',
    'SnapshotGroupId',
    'Status',
    'Tag',
    'MaxResults',
    'NextToken',
    'ResourceGroupId',
    'AdditionalAttributes',
  ],
  handle: describeSnapshotGroups,
};

/** DeleteSnapshotGroup: deletes a group and its members, keeping members that back an image. */
export const deleteSnapshotGroupAction: ActionDefinition = {
  name: 'DeleteSnapshotGroup',
  parameters: ['RegionId', 'SnapshotGroupId'],
  handle: deleteSnapshotGroup,
};
