import { systemClock, type Snapshot } from '../cloud/index.js';
import type { PolicyConfig } from '../config/index.js';
import { toSelfsnapError } from '../errors/index.js';
import { forbiddenError } from './disk-outcome.js';
import { DEFAULT_POLL_INTERVALS, type RunContext } from './run-context.js';
import type { DiskResult, RunRecord } from './run-record.js';
import { buildRunTags, TAG } from './snapshot-naming.js';

/** The end of a wait: every snapshot finished, `maxWait` passed (parked), or the daemon is stopping. */
export type WaitOutcome = 'finished' | 'parked' | 'stopped';

// A snapshot id missing from this many listings in a row is treated as gone (deleted outside).
const MISSING_LIMIT = 3;

/**
 * Polls DescribeSnapshots (at most 100 ids a call) with a growing interval until every accepted
 * snapshot is `accomplished` or `failed`, journaling progress. Past the policy's `maxWait` the run
 * is parked: left `running`, nothing deleted or created again, for a later check to finish.
 * Failed polls are retried until then.
 */
export async function waitForSnapshots(
  run: RunRecord,
  policy: PolicyConfig,
  context: RunContext,
): Promise<WaitOutcome> {
  const clock = context.clock ?? systemClock;
  const poll = context.pollIntervalMs ?? DEFAULT_POLL_INTERVALS;
  const deadline = Date.parse(run.acceptedAt ?? run.startedAt) + policy.maxWait;
  const missing = new Map<string, number>();
  let interval = poll.initial;
  let failedPolls = 0;

  while (run.disks.some((disk) => disk.status === 'progressing')) {
    await clock.sleep(Math.max(0, Math.min(interval, deadline - clock.now())), context.signal);
    if (isStopping(context)) return 'stopped';
    interval = Math.min(poll.max, Math.round(interval * 1.5));

    try {
      await pollOnce(run, policy, context, missing);
      if (failedPolls > 0) context.logger.info({ failedPolls }, 'snapshot status readable again');
      failedPolls = 0;
    } catch (error) {
      if (isStopping(context)) return 'stopped';
      const failure = toSelfsnapError(error);
      if (!failure.retryable) {
        if (failure.code === 'ECS_FORBIDDEN') throw forbiddenError('DescribeSnapshots', failure);
        throw failure;
      }
      if (failedPolls === 0)
        context.logger.warn({ err: failure }, 'cannot read snapshot status; retrying');
      failedPolls++;
    }

    if (!run.disks.some((disk) => disk.status === 'progressing')) break;
    if (clock.now() >= deadline) return park(run, policy, context);
  }
  return 'finished';
}

async function pollOnce(
  run: RunRecord,
  policy: PolicyConfig,
  context: RunContext,
  missing: Map<string, number>,
): Promise<void> {
  const waiting = run.disks.filter((disk) => disk.status === 'progressing');
  const ids = waiting.map((disk) => disk.snapshotId as string);
  const listed = await context.ecs.describeSnapshots(
    { snapshotIds: ids },
    { signal: context.signal },
  );
  const found = await tagUntagged(run, policy, context, listed);
  const byId = new Map(found.map((snapshot) => [snapshot.snapshotId, snapshot]));
  run.lastCheckedAt = new Date().toISOString();

  const changed = waiting.filter((disk) =>
    updateDisk(disk, byId.get(disk.snapshotId as string), missing),
  );
  if (changed.length === 0) return;
  await context.journal(run, 'run-progress');

  for (const disk of changed.filter((entry) => entry.status === 'accomplished')) {
    context.logger.info(
      { diskId: disk.diskId, snapshotId: disk.snapshotId },
      'snapshot accomplished',
    );
  }
}

/**
 * Adds the run's tags to its snapshots that lack them, such as snapshot group members whose
 * tagging failed right after the group was created. Listings and pruning find selfsnap's
 * snapshots by these tags, so a snapshot whose tagging fails again stays in progress, to be
 * tagged at a later poll, instead of ending up out of selfsnap's sight.
 */
async function tagUntagged(
  run: RunRecord,
  policy: PolicyConfig,
  context: RunContext,
  listed: Snapshot[],
): Promise<Snapshot[]> {
  const untagged = listed.filter((snapshot) => snapshot.tags[TAG.run] !== run.id);
  if (untagged.length === 0) return listed;
  const untaggedIds = untagged.map((snapshot) => snapshot.snapshotId);
  try {
    await context.ecs.tagSnapshots(untaggedIds, buildRunTags(run, policy), {
      signal: context.signal,
    });
    context.logger.info({ snapshotIds: untaggedIds }, 'tagged snapshots of the run');
    return listed;
  } catch (error) {
    context.logger.warn(
      { err: error, snapshotIds: untaggedIds },
      'cannot tag snapshots of the run; trying again at the next poll',
    );
    const pending = new Set(untaggedIds);
    return listed.map((snapshot) =>
      pending.has(snapshot.snapshotId) ? { ...snapshot, status: 'progressing' } : snapshot,
    );
  }
}

function isStopping(context: RunContext): boolean {
  return context.signal?.aborted === true;
}

async function park(
  run: RunRecord,
  policy: PolicyConfig,
  context: RunContext,
): Promise<WaitOutcome> {
  if (run.waitExceededAt === undefined) {
    run.waitExceededAt = new Date().toISOString();
    const progressing = run.disks.filter((disk) => disk.status === 'progressing');
    context.logger.warn(
      { maxWaitMs: policy.maxWait, snapshotIds: progressing.map((disk) => disk.snapshotId) },
      'snapshots still in progress after maxWait; checking again later',
    );
  }
  await context.journal(run, 'run-parked');
  return 'parked';
}

/** Copies a listing's view of one snapshot onto its disk; returns whether anything changed. */
function updateDisk(
  disk: DiskResult,
  snapshot: Snapshot | undefined,
  missing: Map<string, number>,
): boolean {
  if (snapshot === undefined) {
    const count = (missing.get(disk.diskId) ?? 0) + 1;
    missing.set(disk.diskId, count);
    if (count < MISSING_LIMIT) return false;
    disk.status = 'failed';
    disk.error = {
      code: 'SNAPSHOT_MISSING',
      message: `snapshot ${disk.snapshotId} is no longer listed (deleted outside selfsnap?)`,
    };
    return true;
  }

  missing.delete(disk.diskId);
  const before = `${disk.status}/${disk.progress}/${disk.available}`;
  disk.progress = snapshot.progress;
  disk.available = snapshot.available;
  // An `unknown` Status is waited on like `progressing`; only the two final ones end the wait.
  if (snapshot.status === 'accomplished' || snapshot.status === 'failed') {
    disk.status = snapshot.status;
    disk.finishedAt = new Date().toISOString();
    if (snapshot.status === 'failed') {
      disk.error = {
        code: 'SNAPSHOT_FAILED',
        message: `snapshot ${disk.snapshotId} failed in the cloud`,
      };
    }
  }
  return before !== `${disk.status}/${disk.progress}/${disk.available}`;
}
