import type { SnapshotGroup } from '../cloud/index.js';
import type { PolicyConfig } from '../config/index.js';
import { toSelfsnapError, type SelfsnapError } from '../errors/index.js';
import { acceptDisk, recordCreateFailure } from './disk-outcome.js';
import { crashPoint } from './journal-step.js';
import { recordError } from './record-error.js';
import type { RunContext } from './run-context.js';
import type { RunRecord, SnapshotGroupState } from './run-record.js';
import { buildDescription, buildRunTags, TAG } from './snapshot-naming.js';

// Error codes that mean these disks cannot form a group, although per-disk snapshots still can be made.
const GROUP_REJECTIONS = [
  'DiskCategory.OperationNotSupported',
  'InvalidDiskIds.NotInSameZone',
  'NumberExceed.TooManyDisks',
  'InvalidOperation.MultiAttachDisk',
  'InvalidDisk.DiskCategoryInconsistent',
  'IncorrectDiskStatus',
  'QuotaExceed',
];

/** The outcome of a group create: created, abandoned for per-disk snapshots, failed, or stopped. */
export type GroupOutcome = 'created' | 'fall-back' | 'failed' | 'interrupted';

/**
 * Creates the run's disks as one snapshot group, journaled before and after the call, then
 * records each member's snapshot id and adds the run's tags to members that lack them. When
 * the API rejects the group itself, the run falls back to per-disk snapshots.
 */
export async function createSnapshotGroup(
  run: RunRecord,
  policy: PolicyConfig,
  context: RunContext,
): Promise<GroupOutcome> {
  const group = run.snapshotGroup as SnapshotGroupState;
  if (group.snapshotGroupId === undefined && group.status === 'creating') {
    group.snapshotGroupId = (await findRunGroup(run, context))?.snapshotGroupId;
  }
  if (group.snapshotGroupId === undefined) {
    if (context.signal?.aborted === true) return 'interrupted';
    const outcome = await sendCreate(run, group, policy, context);
    if (outcome !== 'created') return outcome;
  }

  try {
    await adoptMembers(run, run.snapshotGroup?.snapshotGroupId as string, policy, context);
  } catch (error) {
    const action = 'DescribeSnapshotGroups';
    const outcome = recordCreateFailure(run, run.disks, error, { ...context, action });
    if (outcome === 'interrupted') return 'interrupted';
    run.error ??= recordError(error);
    await context.journal(run, 'disk-failed');
    return 'failed';
  }
  await context.journal(run, 'disk-created');
  return 'created';
}

async function sendCreate(
  run: RunRecord,
  group: SnapshotGroupState,
  policy: PolicyConfig,
  context: RunContext,
): Promise<GroupOutcome> {
  group.status = 'creating';
  for (const disk of run.disks) disk.status = 'creating';
  await context.journal(run, 'group-creating');
  try {
    group.snapshotGroupId = await context.ecs.createSnapshotGroup(
      {
        instanceId: run.instanceId,
        diskIds: run.disks.map((disk) => disk.diskId),
        name: run.snapshotName,
        description: buildDescription(run.trigger, run.reason),
        clientToken: group.clientToken,
        tags: buildRunTags(run, policy),
      },
      { signal: context.signal },
    );
  } catch (error) {
    return handleCreateError(run, toSelfsnapError(error), context);
  }
  crashPoint('group-create-returned');
  group.status = 'created';
  context.logger.info({ snapshotGroupId: group.snapshotGroupId }, 'snapshot group accepted');
  await context.journal(run, 'group-created');
  return 'created';
}

async function handleCreateError(
  run: RunRecord,
  failure: SelfsnapError,
  context: RunContext,
): Promise<GroupOutcome> {
  const code = failure.ecsCode ?? '';
  if (GROUP_REJECTIONS.some((prefix) => code.startsWith(prefix))) {
    context.logger.warn(
      { err: failure, ecsCode: code },
      'snapshot group rejected; snapshotting disks one by one',
    );
    fallBackToPerDisk(run, `CreateSnapshotGroup was rejected with ${code}`);
    await context.journal(run, 'disk-failed');
    return 'fall-back';
  }
  const outcome = recordCreateFailure(run, run.disks, failure, {
    ...context,
    action: 'CreateSnapshotGroup',
  });
  if (outcome === 'interrupted') return 'interrupted';
  // A member may have been detached, released or changed since the listing was made.
  if (outcome === 'skipped' || outcome === 'failed') {
    context.diskListing?.invalidate(
      `CreateSnapshotGroup was rejected with ${code || failure.code}`,
    );
  }
  if (outcome === 'uncertain') {
    // The group may exist although its response was lost, so adopt it when the tag lookup finds it.
    const found = await findRunGroup(run, context);
    if (found !== undefined) {
      run.snapshotGroup = { ...(run.snapshotGroup as SnapshotGroupState), status: 'created' };
      run.snapshotGroup.snapshotGroupId = found.snapshotGroupId;
      return 'created';
    }
  }
  run.error ??= recordError(failure);
  await context.journal(run, 'disk-failed');
  return 'failed';
}

/** Switches a run to per-disk creates with crash consistency, recording why. */
export function fallBackToPerDisk(run: RunRecord, reason: string): void {
  delete run.snapshotGroup;
  run.consistency = {
    requested: run.consistency?.requested ?? 'group',
    applied: 'crash',
    reason: `per-disk snapshots instead of a group: ${reason}`,
  };
  for (const disk of run.disks) {
    disk.status = 'pending';
    delete disk.error;
    delete disk.finishedAt;
  }
}

async function adoptMembers(
  run: RunRecord,
  snapshotGroupId: string,
  policy: PolicyConfig,
  context: RunContext,
): Promise<void> {
  const [group] = await context.ecs.describeSnapshotGroups(
    { snapshotGroupIds: [snapshotGroupId] },
    { signal: context.signal },
  );
  const members = group?.snapshots ?? [];
  for (const disk of run.disks) {
    const member = members.find((snapshot) => snapshot.sourceDiskId === disk.diskId);
    if (member !== undefined) {
      acceptDisk(disk, member.snapshotId);
      continue;
    }
    disk.status = 'failed';
    disk.error = {
      code: 'SNAPSHOT_MISSING',
      message: `snapshot group ${snapshotGroupId} has no snapshot of disk ${disk.diskId}`,
    };
  }
  // Whether group tags reach the member snapshots is not documented, so missing ones are added.
  // The members exist whether or not this works; the wait step tags any still missing them.
  const untagged = members.filter((member) => member.tags[TAG.run] !== run.id);
  if (untagged.length === 0) return;
  try {
    await context.ecs.tagSnapshots(
      untagged.map((member) => member.snapshotId),
      buildRunTags(run, policy),
      { signal: context.signal },
    );
  } catch (error) {
    context.logger.warn(
      { err: error, snapshotIds: untagged.map((member) => member.snapshotId) },
      'cannot tag the snapshot group members yet; trying again while waiting',
    );
  }
}

async function findRunGroup(
  run: RunRecord,
  context: RunContext,
): Promise<SnapshotGroup | undefined> {
  try {
    const groups = await context.ecs.describeSnapshotGroups(
      { instanceId: run.instanceId, tags: { [TAG.run]: run.id } },
      { signal: context.signal },
    );
    return groups[0];
  } catch (error) {
    context.logger.warn({ err: error }, 'cannot look up the snapshot group this run may have made');
    return undefined;
  }
}
