import type { CreateSnapshotInput, Snapshot } from '../cloud/index.js';
import type { PolicyConfig } from '../config/index.js';
import { acceptDisk, recordCreateFailure } from './disk-outcome.js';
import { crashPoint, type JournalStep } from './journal-step.js';
import type { RunContext } from './run-context.js';
import type { DiskResult, RunRecord } from './run-record.js';
import { buildDescription, buildRunTags, TAG } from './snapshot-naming.js';

/** The parameters every CreateSnapshot of a run shares. */
type SharedCreateInput = Omit<CreateSnapshotInput, 'diskId' | 'clientToken'>;

/**
 * Creates one snapshot per disk in parallel. Every disk is journaled `creating` in one write
 * before the first CreateSnapshot is sent. The results are not journaled here: the returned steps
 * (`disk-created`, `disk-failed`) go into the caller's next write, so a release can come first. A
 * crash before that write leaves the disks `creating`, and the next start looks them up by the
 * run's tag, then sends them again with the same ClientToken.
 */
export async function createDiskSnapshots(
  run: RunRecord,
  policy: PolicyConfig,
  context: RunContext,
): Promise<JournalStep[]> {
  const resumed = run.disks.filter((disk) => disk.status === 'creating');
  if (resumed.length > 0) await adoptExistingSnapshots(run, resumed, context);

  const todo = run.disks.filter((disk) => disk.status === 'pending' || disk.status === 'creating');
  if (todo.length === 0 || context.signal?.aborted === true) return [];
  const fresh = todo.filter((disk) => disk.status === 'pending');
  for (const disk of fresh) disk.status = 'creating';
  if (fresh.length > 0) await context.journal(run, 'disk-creating');

  // The same for every disk, so built once: a run may cover dozens of disks.
  const shared: SharedCreateInput = {
    snapshotName: run.snapshotName,
    description: buildDescription(run.trigger, run.reason),
    retentionDays: policy.retentionDays > 0 ? policy.retentionDays : undefined,
    tags: buildRunTags(run, policy),
  };
  const outcomes = await Promise.all(todo.map((disk) => createOne(run, disk, shared, context)));
  const uncertain = todo.filter((_, index) => outcomes[index] === 'uncertain');
  if (uncertain.length > 0) await adoptExistingSnapshots(run, uncertain, context);
  logAccepted(todo, context);

  recordSharedFailure(run, todo);
  const steps: JournalStep[] = [];
  if (todo.some((disk) => disk.snapshotId !== undefined)) steps.push('disk-created');
  if (todo.some((disk) => disk.status === 'skipped' || disk.status === 'failed')) {
    steps.push('disk-failed');
  }
  return steps;
}

/**
 * Records the error that every create of the run failed with, such as a rejected signature, as
 * the run's error, so the run records why it failed and not only each disk.
 */
function recordSharedFailure(run: RunRecord, disks: readonly DiskResult[]): void {
  const [first, ...rest] = disks.map((disk) => (disk.status === 'failed' ? disk.error : undefined));
  if (run.error !== undefined || first === undefined) return;
  const same = rest.every((error) => error?.code === first.code && error.ecsCode === first.ecsCode);
  if (same) run.error = first;
}

/** Logs the run's accepted snapshots in one line, however many disks it covers. */
function logAccepted(disks: readonly DiskResult[], context: RunContext): void {
  const accepted = disks.filter((disk) => disk.snapshotId !== undefined);
  if (accepted.length === 0) return;
  const snapshotIds = Object.fromEntries(accepted.map((disk) => [disk.diskId, disk.snapshotId]));
  context.logger.info({ snapshotIds }, 'snapshots accepted');
}

async function createOne(
  run: RunRecord,
  disk: DiskResult,
  shared: SharedCreateInput,
  context: RunContext,
): Promise<string> {
  if (context.signal?.aborted === true) return 'interrupted';
  try {
    const snapshotId = await context.ecs.createSnapshot(
      { ...shared, diskId: disk.diskId, clientToken: disk.clientToken },
      { signal: context.signal },
    );
    crashPoint('create-returned');
    acceptDisk(disk, snapshotId);
    context.logger.debug({ diskId: disk.diskId, snapshotId }, 'snapshot accepted');
    return 'accepted';
  } catch (error) {
    const outcome = recordCreateFailure(run, [disk], error, {
      ...context,
      action: 'CreateSnapshot',
    });
    // The disk may have been detached or released since the listing was made.
    if (outcome === 'skipped') {
      context.diskListing?.invalidate(`CreateSnapshot of ${disk.diskId} was rejected`);
    }
    return outcome;
  }
}

/**
 * Looks up snapshots already tagged with this run and adopts them for the given disks, so a
 * create whose response was lost, to a crash or the network, is never made a second time.
 */
export async function adoptExistingSnapshots(
  run: RunRecord,
  disks: readonly DiskResult[],
  context: RunContext,
): Promise<void> {
  let found: Snapshot[];
  try {
    found = await context.ecs.describeSnapshots(
      { tags: { [TAG.run]: run.id } },
      { signal: context.signal },
    );
  } catch (error) {
    // The ClientToken still guards the repeated create, so a failed lookup is not fatal.
    context.logger.warn({ err: error }, 'cannot look up snapshots this run may have made');
    return;
  }

  for (const disk of disks) {
    const mine = found
      .filter((snapshot) => snapshot.sourceDiskId === disk.diskId)
      .filter((snapshot) => snapshot.tags[TAG.instance] === run.instanceId)
      .sort((a, b) => a.creationTime.localeCompare(b.creationTime));
    const first = mine[0];
    if (first === undefined) continue;
    if (mine.length > 1) {
      const ids = mine.map((snapshot) => snapshot.snapshotId).join(', ');
      context.logger.error(
        { diskId: disk.diskId, snapshotIds: ids },
        'run has several snapshots of one disk',
      );
    }
    acceptDisk(disk, first.snapshotId);
    context.logger.info(
      { diskId: disk.diskId, snapshotId: first.snapshotId },
      'adopted snapshot made before',
    );
  }
}
