import { ApiError, missingParameter } from '../api-error.js';
import { checkSnapshotAllowed, ESSD_FAMILY, requireDisk } from '../disk-rules.js';
import { newResourceId } from '../ids.js';
import type { DiskRecord } from '../records.js';
import { validateDescription, validateResourceName, validateTags } from '../validation.js';
import type { ActionContext, ActionDefinition } from './action.js';
import { requireRegion } from './region.js';
import { startSnapshot } from './snapshots.js';

/** Maximum N of `DiskId.N` and `ExcludeDiskId.N`, as the current SDK documents it. */
const MAX_DISK_INDEX = 128;

/** Returns the disks attached to an instance, or throws 404 when no disk names that instance. */
function attachedDisks(context: ActionContext, instanceId: string): DiskRecord[] {
  const disks = context.state.listDisks();
  const known =
    instanceId === context.state.instance.instanceId ||
    disks.some((disk) => disk.instanceId === instanceId);
  if (!known) {
    throw new ApiError(
      404,
      'InvalidInstanceId.NotFound',
      `The instance "${instanceId}" does not exist.`,
    );
  }
  return disks.filter((disk) => disk.instanceId === instanceId && disk.status === 'In_use');
}

/** Resolves the group's disks from InstanceId, DiskId.N and ExcludeDiskId.N. */
function resolveGroupDisks(context: ActionContext): DiskRecord[] {
  const { params, state } = context;
  const instanceId = params.get('InstanceId');
  const diskIds = [...new Set(params.indexedList('DiskId', MAX_DISK_INDEX))];
  const excluded = params.indexedList('ExcludeDiskId', MAX_DISK_INDEX);
  if (diskIds.length > 0 && excluded.length > 0) {
    throw new ApiError(
      400,
      'InvalidParam.ExcludeDiskIdsAndDiskIds.Conflict',
      'DiskId.N and ExcludeDiskId.N cannot be given together.',
    );
  }
  if (instanceId === undefined) {
    if (diskIds.length === 0) throw missingParameter('InstanceId');
    return diskIds.map((diskId) => requireDisk(state, diskId));
  }

  const attached = attachedDisks(context, instanceId);
  for (const diskId of [...diskIds, ...excluded]) {
    requireDisk(state, diskId);
    if (!attached.some((disk) => disk.diskId === diskId)) {
      throw new ApiError(
        400,
        'InvalidParameter',
        `The disk "${diskId}" is not attached to the instance "${instanceId}".`,
      );
    }
  }
  if (diskIds.length > 0) return attached.filter((disk) => diskIds.includes(disk.diskId));
  return attached.filter((disk) => !excluded.includes(disk.diskId));
}

/** Checks the group rules: disk count, ESSD family only, no multi-attach, one zone. */
function checkGroupDisks(context: ActionContext, disks: readonly DiskRecord[]): void {
  const limit = context.state.settings.snapshotGroupDiskLimit;
  if (disks.length === 0) {
    throw new ApiError(403, 'InvalidInstance.NoDisk', 'The snapshot group would contain no disk.');
  }
  if (disks.length > limit) {
    throw new ApiError(
      403,
      'NumberExceed.TooManyDisks',
      `A snapshot group may contain at most ${limit} disks, got ${disks.length}.`,
    );
  }
  for (const disk of disks) {
    if (!ESSD_FAMILY.includes(disk.category)) {
      throw new ApiError(
        400,
        'DiskCategory.OperationNotSupported',
        `The disk "${disk.diskId}" is ${disk.category}; snapshot groups need ${ESSD_FAMILY.join(', ')}.`,
      );
    }
    if (disk.multiAttach) {
      throw new ApiError(
        403,
        'InvalidOperation.MultiAttachDisk',
        `The disk "${disk.diskId}" has multi-attach enabled and cannot join a snapshot group.`,
      );
    }
  }
  if (new Set(disks.map((disk) => disk.zoneId)).size > 1) {
    throw new ApiError(
      400,
      'InvalidDiskIds.NotInSameZone',
      'All disks of a snapshot group must be in the same zone.',
    );
  }
  for (const disk of disks) {
    checkSnapshotAllowed(
      context.state,
      disk,
      context.now,
      'IncorrectDiskStatus.TooManyCreatingSnapshots',
    );
  }
}

function createSnapshotGroup(context: ActionContext): Record<string, unknown> {
  const { params, state } = context;
  requireRegion(context);
  const name = params.get('Name');
  if (name !== undefined) validateResourceName(name, 'InvalidName.Malformed', false);
  const description = params.get('Description');
  if (description !== undefined)
    validateDescription(description, 400, 'InvalidDescription.Malformed');
  const tags = params.tags();
  validateTags(tags);
  const disks = resolveGroupDisks(context);
  checkGroupDisks(context, disks);

  const snapshotGroupId = newResourceId('ssg');
  const memberTags = state.settings.snapshotGroupTagsOnMembers ? tags : [];
  const members = disks.map((disk) =>
    startSnapshot(context, disk, { tags: [...memberTags] }, snapshotGroupId),
  );
  state.snapshotGroups.set(snapshotGroupId, {
    snapshotGroupId,
    name: name ?? '',
    description: description ?? '',
    instanceId: params.get('InstanceId') ?? disks[0]?.instanceId ?? '',
    createdAtMs: context.now,
    snapshotIds: members.map((snapshot) => snapshot.snapshotId),
    tags,
  });
  return { SnapshotGroupId: snapshotGroupId };
}

/** CreateSnapshotGroup: starts crash-consistent snapshots of several ESSD-family disks at once. */
export const createSnapshotGroupAction: ActionDefinition = {
  name: 'CreateSnapshotGroup',
  parameters: [
    'RegionId',
    'InstanceId',
    'DiskId',
    'ExcludeDiskId',
    'Name',
    'Description',
    'ClientToken',
    'Tag',
    'InstantAccess',
    'InstantAccessRetentionDays',
    'ResourceGroupId',
    'StorageLocationArn',
  ],
  idempotent: true,
  handle: createSnapshotGroup,
};
