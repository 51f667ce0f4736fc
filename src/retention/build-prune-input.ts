import type { EcsClient, Snapshot } from '../cloud/index.js';
import { toSelfsnapError, type SelfsnapError } from '../errors/index.js';
import { TAG } from '../snapshot/snapshot-naming.js';
import type { PruneInput } from './prune-plan.js';

/** The outcome of listing an instance's snapshots: every page, or the error that stopped it. */
export type SnapshotListing =
  { complete: true; snapshots: Snapshot[] } | { complete: false; error: SelfsnapError };

/** Everything planPrune needs besides the listing. */
export interface PruneContext extends Omit<PruneInput, 'snapshots'> {
  /** Snapshots the listing must contain, such as the ones the run has just created. */
  requiredSnapshotIds?: readonly string[];
}

/** A PruneInput ready for planPrune, or the reason why no plan may be made from the listing. */
export type PruneInputResult = { ok: true; input: PruneInput } | { ok: false; reason: string };

/**
 * Lists every snapshot tagged `selfsnap:instance=<instanceId>` in the region, reading every page,
 * and returns the error instead of throwing when a call fails.
 *
 * The tag alone selects the snapshots. An InstanceId filter is not added because the ECS API
 * reference does not say whether it still matches once the source disk is detached or released,
 * and those snapshots are the ones the `orphans` rule is about.
 */
export async function listOwnedSnapshots(
  ecs: Pick<EcsClient, 'describeSnapshots'>,
  instanceId: string,
): Promise<SnapshotListing> {
  try {
    const snapshots = await ecs.describeSnapshots({ tags: { [TAG.instance]: instanceId } });
    return { complete: true, snapshots };
  } catch (error) {
    return { complete: false, error: toSelfsnapError(error, 'ECS_REQUEST_FAILED') };
  }
}

/**
 * Builds the input of planPrune from a listing, or rejects the listing with a reason when it is
 * incomplete or inconsistent, because a plan made from a partial listing could delete the wrong
 * snapshots.
 */
export function buildPruneInput(listing: SnapshotListing, context: PruneContext): PruneInputResult {
  if (!listing.complete) {
    return { ok: false, reason: `listing snapshots failed: ${listing.error.message}` };
  }

  const problem = checkContext(context) ?? checkListing(listing.snapshots, context);
  if (problem !== undefined) return { ok: false, reason: problem };

  const input: PruneInput = {
    snapshots: listing.snapshots,
    rules: context.rules,
    timezone: context.timezone,
    now: context.now,
    instanceId: context.instanceId,
    policy: context.policy,
    pinnedSnapshotIds: context.pinnedSnapshotIds,
    undeletableSnapshotIds: context.undeletableSnapshotIds,
    existingDiskIds: context.existingDiskIds,
  };
  return { ok: true, input };
}

function checkContext(context: PruneContext): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: context.timezone });
  } catch {
    return `unknown timezone "${context.timezone}"`;
  }
  if (Number.isNaN(context.now.getTime())) return 'the current time is not a valid date';
  // Every instance has a system disk, so an empty set means DescribeDisks did not work.
  if (context.existingDiskIds.size === 0) {
    return 'no disk of the instance is known, so every snapshot would look orphaned';
  }
  return undefined;
}

function checkListing(snapshots: readonly Snapshot[], context: PruneContext): string | undefined {
  const seen = new Set<string>();
  for (const snapshot of snapshots) {
    const { snapshotId } = snapshot;
    if (snapshotId === '') return 'the listing contains a snapshot without SnapshotId';
    if (seen.has(snapshotId)) return `the listing contains snapshot ${snapshotId} twice`;
    seen.add(snapshotId);

    if (snapshot.tags[TAG.instance] !== context.instanceId) {
      return `the listing contains snapshot ${snapshotId}, which is not tagged ${TAG.instance}=${context.instanceId}, so the tag filter was not applied`;
    }
  }

  const missing = (context.requiredSnapshotIds ?? []).filter((id) => !seen.has(id));
  if (missing.length > 0) return `the listing lacks required snapshot ${missing.join(', ')}`;
  return undefined;
}
