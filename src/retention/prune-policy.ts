import type { EcsClient } from '../cloud/index.js';
import { toSelfsnapError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { buildPruneInput, listOwnedSnapshots } from './build-prune-input.js';
import { executePrune, type PruneSummary } from './execute-prune.js';
import { planPrune } from './plan-prune.js';
import type { PrunePlan, RetentionRules } from './prune-plan.js';

/** Clients, identity and settings that prunePolicy works with. */
export interface PrunePolicyOptions {
  ecs: Pick<EcsClient, 'describeInstanceDisks' | 'describeSnapshots' | 'deleteSnapshot'>;
  logger: Logger;
  instanceId: string;
  policy: string;
  rules: RetentionRules;
  timezone: string;
  /** Defaults to the current time. */
  now?: Date;
  pinnedSnapshotIds?: ReadonlySet<string>;
  /** Snapshots whose deletion failed for good in an earlier prune, as the caller stored them. */
  undeletableSnapshotIds?: ReadonlySet<string>;
  /** Snapshots the listing must contain, such as the ones the run has just created. */
  requiredSnapshotIds?: readonly string[];
  /** Plans without deleting anything. */
  dryRun?: boolean;
  /** DeleteSnapshot calls in flight at once; default 4. */
  concurrency?: number;
}

/** The outcome of prunePolicy: skipped with a reason, planned only, or planned and executed. */
export type PruneReport =
  | { status: 'skipped'; reason: string }
  | { status: 'planned'; plan: PrunePlan }
  | { status: 'executed'; plan: PrunePlan; summary: PruneSummary };

/**
 * Prunes one policy's snapshots: lists the disks attached to the instance and the snapshots
 * tagged with it, plans, and deletes unless `dryRun` is set. Never throws: a failed or
 * inconsistent listing skips the prune with a reason, and deletion failures are in the summary.
 *
 * A disk counts as existing while DescribeDisks lists it as attached to this instance, so the
 * snapshots of a detached disk follow the `orphans` rule like those of a released one.
 */
export async function prunePolicy(options: PrunePolicyOptions): Promise<PruneReport> {
  const log = options.logger.child({ component: 'retention', policy: options.policy });
  try {
    return await planAndExecute(options, log);
  } catch (error) {
    // Only a bug gets here, because the calls below return their failures instead of throwing.
    return skip(log, `prune failed: ${toSelfsnapError(error).message}`);
  }
}

async function planAndExecute(options: PrunePolicyOptions, log: Logger): Promise<PruneReport> {
  let diskIds: Set<string>;
  try {
    const disks = await options.ecs.describeInstanceDisks(options.instanceId);
    diskIds = new Set(disks.map((disk) => disk.diskId));
  } catch (error) {
    return skip(log, `listing disks failed: ${toSelfsnapError(error).message}`);
  }

  const listing = await listOwnedSnapshots(options.ecs, options.instanceId);
  const built = buildPruneInput(listing, {
    rules: options.rules,
    timezone: options.timezone,
    now: options.now ?? new Date(),
    instanceId: options.instanceId,
    policy: options.policy,
    pinnedSnapshotIds: options.pinnedSnapshotIds ?? new Set(),
    undeletableSnapshotIds: options.undeletableSnapshotIds ?? new Set(),
    existingDiskIds: diskIds,
    requiredSnapshotIds: options.requiredSnapshotIds,
  });
  if (!built.ok) return skip(log, built.reason);

  const plan = planPrune(built.input);
  logPlan(log, plan, options.dryRun === true);
  if (options.dryRun === true) return { status: 'planned', plan };

  const summary = await executePrune(plan, options.ecs, options.logger, {
    concurrency: options.concurrency,
  });
  return { status: 'executed', plan, summary };
}

function skip(log: Logger, reason: string): PruneReport {
  log.warn({ reason }, 'prune skipped');
  return { status: 'skipped', reason };
}

function logPlan(log: Logger, plan: PrunePlan, dryRun: boolean): void {
  for (const warning of plan.warnings)
    log.warn({ warning }, 'snapshot kept because it is unreadable');
  const toDelete = plan.entries.filter((entry) => entry.action === 'delete').length;
  log.info(
    { dryRun, keep: plan.entries.length - toDelete, delete: toDelete, ignored: plan.ignoredCount },
    'prune planned',
  );
}
