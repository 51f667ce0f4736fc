import { ApiError } from '../api-error.js';
import { checkSnapshotAllowed, requireDisk } from '../disk-rules.js';
import { newResourceId } from '../ids.js';
import type { Tag } from '../params.js';
import type { DiskRecord, SnapshotRecord } from '../records.js';
import { validateDescription, validateResourceName, validateTags } from '../validation.js';
import type { ActionContext, ActionDefinition } from './action.js';

/** Reads and validates the optional SnapshotName, Description and RetentionDays. */
function readSnapshotAttributes(context: ActionContext) {
  const { params } = context;
  const snapshotName = params.get('SnapshotName');
  if (snapshotName !== undefined)
    validateResourceName(snapshotName, 'InvalidSnapshotName.Malformed', true);
  const description = params.get('Description');
  // The API documents 404 for a malformed snapshot description.
  if (description !== undefined)
    validateDescription(description, 404, 'InvalidDescription.Malformed');
  const retentionDays = params.integer(
    'RetentionDays',
    1,
    65_536,
    'InvalidRetentionDays.Malformed',
  );
  return { snapshotName, description, retentionDays };
}

/** Adds a new manual snapshot of `disk` to the state and returns it. */
export function startSnapshot(
  context: ActionContext,
  disk: DiskRecord,
  attributes: { snapshotName?: string; description?: string; retentionDays?: number; tags: Tag[] },
  snapshotGroupId?: string,
): SnapshotRecord {
  const { state, now } = context;
  const snapshot: SnapshotRecord = {
    snapshotId: newResourceId('s'),
    snapshotName: attributes.snapshotName ?? '',
    description: attributes.description ?? '',
    sourceDiskId: disk.diskId,
    sourceDiskType: disk.type,
    sourceDiskSizeGiB: disk.sizeGiB,
    sourceDiskCategory: disk.category,
    instanceId: disk.instanceId,
    snapshotType: 'user',
    createdAtMs: now,
    lastModifiedMs: now,
    durationMs: state.settings.snapshotDurationMs,
    availableFraction: state.settings.snapshotAvailableFraction,
    outcome: context.faults.takeSnapshotFailure(disk.diskId) ? 'failed' : 'accomplished',
    retentionDays: attributes.retentionDays,
    usage: 'none',
    encrypted: disk.encrypted,
    tags: attributes.tags,
    snapshotGroupId,
  };
  state.snapshots.set(snapshot.snapshotId, snapshot);
  return snapshot;
}

function createSnapshot(context: ActionContext): Record<string, unknown> {
  const diskId = context.params.required('DiskId');
  const attributes = readSnapshotAttributes(context);
  const tags = context.params.tags();
  validateTags(tags);

  const disk = requireDisk(context.state, diskId);
  checkSnapshotAllowed(context.state, disk, context.now);
  const snapshot = startSnapshot(context, disk, { ...attributes, tags });
  return { SnapshotId: snapshot.snapshotId };
}

/** Returns the snapshot or throws 404 `InvalidSnapshotId.NotFound`. */
export function requireSnapshot(context: ActionContext, snapshotId: string): SnapshotRecord {
  const snapshot = context.state.snapshots.get(snapshotId);
  if (snapshot === undefined) {
    throw new ApiError(
      404,
      'InvalidSnapshotId.NotFound',
      `The snapshot "${snapshotId}" does not exist.`,
    );
  }
  return snapshot;
}

/** Removes a snapshot, and its group once the group has no members left. */
export function removeSnapshot(
  context: ActionContext,
  snapshot: SnapshotRecord,
  force: boolean,
): void {
  if (snapshot.usage === 'image' || snapshot.usage === 'image_disk') {
    throw new ApiError(
      403,
      'SnapshotCreatedImage',
      `The snapshot "${snapshot.snapshotId}" backs a custom image and cannot be deleted.`,
    );
  }
  if (snapshot.usage === 'disk' && !force) {
    throw new ApiError(
      403,
      'SnapshotCreatedDisk',
      `The snapshot "${snapshot.snapshotId}" was used to create disks; set Force=true to delete it.`,
    );
  }

  // Deleting a snapshot still in progress cancels its creation.
  context.state.snapshots.delete(snapshot.snapshotId);
  const group =
    snapshot.snapshotGroupId === undefined
      ? undefined
      : context.state.snapshotGroups.get(snapshot.snapshotGroupId);
  if (group === undefined) return;
  group.snapshotIds = group.snapshotIds.filter((id) => id !== snapshot.snapshotId);
  if (group.snapshotIds.length === 0) context.state.snapshotGroups.delete(group.snapshotGroupId);
}

function deleteSnapshot(context: ActionContext): Record<string, unknown> {
  const snapshotId = context.params.required('SnapshotId');
  const force = context.params.boolean('Force', false);
  const ignoreMissing = context.state.settings.missingSnapshotOnDelete === 'ignore';
  if (ignoreMissing && !context.state.snapshots.has(snapshotId)) return {};

  removeSnapshot(context, requireSnapshot(context, snapshotId), force);
  return {};
}

function modifySnapshotAttribute(context: ActionContext): Record<string, unknown> {
  const snapshotId = context.params.required('SnapshotId');
  const attributes = readSnapshotAttributes(context);
  context.params.boolean('DisableInstantAccess', false);
  const snapshot = requireSnapshot(context, snapshotId);

  if (attributes.snapshotName !== undefined) snapshot.snapshotName = attributes.snapshotName;
  if (attributes.description !== undefined) snapshot.description = attributes.description;
  if (attributes.retentionDays !== undefined) snapshot.retentionDays = attributes.retentionDays;
  snapshot.lastModifiedMs = context.now;
  return {};
}

/** CreateSnapshot: starts a manual snapshot of one disk. */
export const createSnapshotAction: ActionDefinition = {
  name: 'CreateSnapshot',
  parameters: [
    'DiskId',
    'SnapshotName',
    'Description',
    'RetentionDays',
    'ClientToken',
    'Tag',
    'Category',
    'InstantAccess',
    'InstantAccessRetentionDays',
    'ResourceGroupId',
    'StorageLocationArn',
  ],
  idempotent: true,
  handle: createSnapshot,
};

/** DeleteSnapshot: deletes a snapshot, cancelling it when still in progress. */
export const deleteSnapshotAction: ActionDefinition = {
  name: 'DeleteSnapshot',
  parameters: ['SnapshotId', 'Force'],
  handle: deleteSnapshot,
};

/** ModifySnapshotAttribute: renames a snapshot, changes its description or retention. */
export const modifySnapshotAttributeAction: ActionDefinition = {
  name: 'ModifySnapshotAttribute',
  parameters: [
    'SnapshotId',
    'SnapshotName',
    'Description',
    'RetentionDays',
    'DisableInstantAccess',
  ],
  handle: modifySnapshotAttribute,
};
