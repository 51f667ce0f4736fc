import type { EcsClient, Snapshot } from '../cloud/index.js';
import { toSelfsnapError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import type { RunPrune, RunRecord } from '../snapshot/index.js';
import { buildPruneInput, listOwnedSnapshots, type SnapshotListing } from './build-prune-input.js';
import { carryOutPlan, type UndeletableStore } from './carry-out-plan.js';
import type { DeleteOutcome } from './execute-prune.js';
import { limitPlanToDisks } from './limit-plan.js';
import { planPrune } from './plan-prune.js';
import type { PrunePlan, RetentionRules } from './prune-plan.js';

/** Clients, state and settings that pruneAfterRun works with. */
export interface RunPruneOptions {
  ecs: Pick<EcsClient, 'describeInstanceDisks' | 'describeSnapshots' | 'deleteSnapshot'>;
  logger: Logger;
  undeletable: UndeletableStore;
  rules: RetentionRules;
  /** IANA timezone of the policy. */
  timezone: string;
  /** Defaults to the current time. */
  now?: Date;
  /** Receives every complete listing, without the snapshots the prune deleted. */
  onListing?: (snapshots: Snapshot[]) => void;
}

type DiskIdsResult = { ok: true; diskIds: Set<string> } | { ok: false; reason: string };

type RunPlanResult = { ok: true; planned: RunPlan } | { ok: false; reason: string };

interface RunPlan {
  plan: PrunePlan;
  /** Disks that may lose snapshots. */
  covered: Set<string>;
  /** The complete listing the plan came from. */
  snapshots: Snapshot[];
  /** Snapshots held back as undeletable, which the kept count leaves out. */
  held: ReadonlySet<string>;
}

/**
 * Prunes a run's policy once every disk of the run has finished, from one listing of the
 * instance's snapshots. Only disks whose new snapshot is accomplished lose snapshots, and nothing
 * is deleted unless the listing was read completely and contains those new snapshots. With
 * `orphans: prune`, snapshots of disks no longer attached are pruned as well, at the cost of one
 * DescribeDisks call. A prune that cannot be planned is `skipped` with the reason.
 */
export async function pruneAfterRun(run: RunRecord, options: RunPruneOptions): Promise<RunPrune> {
  const log = options.logger.child({ component: 'retention', runId: run.id, policy: run.policy });
  const now = options.now ?? new Date();
  const result = await planRunPrune(run, options, now);
  if (!result.ok) return skip(log, result.reason);
  const { plan, covered, snapshots } = result.planned;
  for (const warning of plan.warnings) log.warn({ warning }, 'snapshot kept because unreadable');

  const listedIds = new Set(snapshots.map((snapshot) => snapshot.snapshotId));
  const summary = await carryOutPlan(plan, { ...options, logger: log, now, listedIds });
  const byOutcome = (outcome: DeleteOutcome) =>
    summary.results.filter((result) => result.outcome === outcome).map((r) => r.snapshotId);
  const deleted = new Set(byOutcome('deleted'));
  options.onListing?.(snapshots.filter((snapshot) => !deleted.has(snapshot.snapshotId)));

  return {
    status: 'pruned',
    diskIds: [...covered].sort(),
    deleted: [...deleted],
    kept: countKept(result.planned),
    undeletable: byOutcome('undeletable'),
    retryLater: byOutcome('retry-later'),
    finishedAt: new Date().toISOString(),
  };
}

/** Lists the snapshots and plans the prune of the disks the run may prune, or returns why not. */
async function planRunPrune(
  run: RunRecord,
  options: RunPruneOptions,
  now: Date,
): Promise<RunPlanResult> {
  const accomplished = run.disks.filter((disk) => disk.status === 'accomplished');
  const newSnapshotIds = accomplished.flatMap((disk) => disk.snapshotId ?? []);
  if (newSnapshotIds.length === 0) {
    return { ok: false, reason: 'no new snapshot of this run is accomplished' };
  }
  const attached = await findAttachedDisks(run, options);
  if (!attached.ok) return attached;

  const listing = await listOwnedSnapshots(options.ecs, run.instanceId);
  const built = buildPruneInput(listing, {
    rules: options.rules,
    timezone: options.timezone,
    now,
    instanceId: run.instanceId,
    policy: run.policy,
    pinnedSnapshotIds: new Set(),
    undeletableSnapshotIds: options.undeletable.heldAt(now),
    existingDiskIds: attached.diskIds,
    requiredSnapshotIds: newSnapshotIds,
  });
  if (listing.complete && !built.ok) options.onListing?.(listing.snapshots);
  if (!built.ok) return built;

  const covered = coveredDiskIds(accomplished, listing, attached.diskIds, options);
  const plan = limitPlanToDisks(planPrune(built.input), covered, (diskId) =>
    run.disks.some((disk) => disk.diskId === diskId)
      ? 'new snapshot of the disk not accomplished'
      : 'disk not snapshotted by this run',
  );
  const held = built.input.undeletableSnapshotIds;
  return { ok: true, planned: { plan, covered, snapshots: [...built.input.snapshots], held } };
}

/**
 * Returns the disks attached to the instance. Under `orphans: keep` the run's own disks are
 * enough, because DescribeDisks listed them when the run was planned and no other disk may lose
 * snapshots, so the prune makes no DescribeDisks call.
 */
async function findAttachedDisks(run: RunRecord, options: RunPruneOptions): Promise<DiskIdsResult> {
  if (options.rules.orphans !== 'prune') {
    const joined = (run.joined ?? []).map((disk) => disk.diskId);
    return { ok: true, diskIds: new Set([...run.disks.map((disk) => disk.diskId), ...joined]) };
  }
  try {
    const disks = await options.ecs.describeInstanceDisks(run.instanceId);
    return { ok: true, diskIds: new Set(disks.map((disk) => disk.diskId)) };
  } catch (error) {
    return { ok: false, reason: `listing disks failed: ${toSelfsnapError(error).message}` };
  }
}

/** Returns the disks that may lose snapshots: accomplished ones, and gone ones under `orphans: prune`. */
function coveredDiskIds(
  accomplished: readonly { diskId: string }[],
  listing: SnapshotListing,
  attached: ReadonlySet<string>,
  options: RunPruneOptions,
): Set<string> {
  const covered = new Set(accomplished.map((disk) => disk.diskId));
  if (options.rules.orphans !== 'prune' || !listing.complete) return covered;
  for (const snapshot of listing.snapshots) {
    if (!attached.has(snapshot.sourceDiskId)) covered.add(snapshot.sourceDiskId);
  }
  return covered;
}

function countKept({ plan, covered, held }: RunPlan): number {
  const kept = plan.entries.filter(
    (entry) => entry.action === 'keep' && covered.has(entry.diskId) && !held.has(entry.snapshotId),
  );
  return kept.length;
}

function skip(log: Logger, reason: string): RunPrune {
  log.warn({ reason }, 'prune skipped');
  return {
    status: 'skipped',
    reason,
    diskIds: [],
    deleted: [],
    kept: 0,
    undeletable: [],
    retryLater: [],
    finishedAt: new Date().toISOString(),
  };
}
