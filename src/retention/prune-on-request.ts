import type { EcsClient, Snapshot } from '../cloud/index.js';
import type { PolicyConfig } from '../config/index.js';
import { SelfsnapError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { buildPruneInput, listOwnedSnapshots, type SnapshotListing } from './build-prune-input.js';
import { carryOutPlan, type UndeletableStore } from './carry-out-plan.js';
import type { PruneSummary } from './execute-prune.js';
import { planPrune } from './plan-prune.js';
import type { PruneEntry } from './prune-plan.js';

/** A request to prune now, as `POST /v1/prune` takes it. */
export interface PruneRequest {
  /** Only this policy; every policy with retention rules when absent. */
  policy?: string;
  /** Plans without deleting anything. */
  dryRun: boolean;
}

/** The outcome of a prune, or of its dry run, for one policy. */
export interface PolicyPrune {
  policy: string;
  /** `planned` for a dry run, `executed` after deleting, `skipped` without retention rules. */
  status: 'planned' | 'executed' | 'skipped';
  reason?: string;
  /** Every snapshot of the policy with the rules that keep or delete it. */
  entries: PruneEntry[];
  /** Snapshots kept because a field could not be read, one message each. */
  warnings: string[];
  summary?: PruneSummary;
}

/** The response body of `POST /v1/prune`. */
export interface PruneAnswer {
  dryRun: boolean;
  policies: PolicyPrune[];
}

/** Clients, state and settings that pruneOnRequest works with. */
export interface PruneOnRequestOptions {
  ecs: Pick<EcsClient, 'describeInstanceDisks' | 'describeSnapshots' | 'deleteSnapshot'>;
  logger: Logger;
  undeletable: UndeletableStore;
  instanceId: string;
  policies: Readonly<Record<string, PolicyConfig>>;
  /** Defaults to the current time. */
  now?: Date;
  /** Receives the complete listing, without the snapshots the prune deleted. */
  onListing?: (snapshots: Snapshot[]) => void;
}

/**
 * Prunes one policy or every policy with retention rules, now and on every disk, from one
 * DescribeDisks and one listing. Throws the cloud error when either call fails and
 * ECS_REQUEST_FAILED when the listing is inconsistent, before anything is deleted.
 */
export async function pruneOnRequest(
  request: PruneRequest,
  options: PruneOnRequestOptions,
): Promise<PruneAnswer> {
  const selected = selectPolicies(request.policy, options.policies);
  const answers = new Map<string, PolicyPrune>();
  for (const name of selected.filter(
    (policy) => options.policies[policy]?.retention === undefined,
  )) {
    answers.set(name, skipped(name));
  }
  const pruned = selected.filter((name) => !answers.has(name));
  if (pruned.length > 0) {
    const results = await prunePolicies(pruned, request.dryRun, options);
    for (const result of results) answers.set(result.policy, result);
  }
  return {
    dryRun: request.dryRun,
    policies: selected.map((name) => answers.get(name) as PolicyPrune),
  };
}

/** The listing and disks that every policy of one request is planned from. */
interface SharedListing {
  listing: SnapshotListing & { complete: true };
  diskIds: Set<string>;
  listedIds: Set<string>;
  now: Date;
}

async function prunePolicies(
  names: string[],
  dryRun: boolean,
  options: PruneOnRequestOptions,
): Promise<PolicyPrune[]> {
  const disks = await options.ecs.describeInstanceDisks(options.instanceId);
  const listing = await listOwnedSnapshots(options.ecs, options.instanceId);
  if (!listing.complete) throw listing.error;
  const shared: SharedListing = {
    listing,
    diskIds: new Set(disks.map((disk) => disk.diskId)),
    listedIds: new Set(listing.snapshots.map((snapshot) => snapshot.snapshotId)),
    now: options.now ?? new Date(),
  };

  const results: PolicyPrune[] = [];
  for (const name of names) results.push(await prunePolicyNow(name, dryRun, shared, options));

  const deleted = new Set(
    results
      .flatMap((result) => result.summary?.results ?? [])
      .flatMap((item) => (item.outcome === 'deleted' ? [item.snapshotId] : [])),
  );
  options.onListing?.(listing.snapshots.filter((snapshot) => !deleted.has(snapshot.snapshotId)));
  return results;
}

async function prunePolicyNow(
  name: string,
  dryRun: boolean,
  shared: SharedListing,
  options: PruneOnRequestOptions,
): Promise<PolicyPrune> {
  const policy = options.policies[name] as PolicyConfig;
  const built = buildPruneInput(shared.listing, {
    rules: policy.retention ?? {},
    timezone: policy.timezone,
    now: shared.now,
    instanceId: options.instanceId,
    policy: name,
    pinnedSnapshotIds: new Set(),
    undeletableSnapshotIds: options.undeletable.heldAt(shared.now),
    existingDiskIds: shared.diskIds,
  });
  if (!built.ok) throw new SelfsnapError('ECS_REQUEST_FAILED', `cannot prune: ${built.reason}`);

  const plan = planPrune(built.input);
  const planned = { policy: name, entries: plan.entries, warnings: plan.warnings };
  if (dryRun) return { ...planned, status: 'planned' };
  const logger = options.logger.child({ component: 'retention', policy: name });
  const summary = await carryOutPlan(plan, { ...options, ...shared, logger });
  return { ...planned, status: 'executed', summary };
}

function selectPolicies(
  name: string | undefined,
  policies: Readonly<Record<string, PolicyConfig>>,
) {
  const names = Object.keys(policies);
  if (name === undefined) return names;
  if (names.includes(name)) return [name];
  throw new SelfsnapError(
    'REQUEST_INVALID',
    `no policy named "${name}" (defined: ${names.join(', ')})`,
  );
}

function skipped(policy: string): PolicyPrune {
  return {
    policy,
    status: 'skipped',
    reason: 'the policy has no retention rules',
    entries: [],
    warnings: [],
  };
}
