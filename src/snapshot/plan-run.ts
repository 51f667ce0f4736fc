import type { Disk } from '../cloud/index.js';
import type { PolicyConfig } from '../config/index.js';
import { groupIneligibility } from './group-eligibility.js';
import { DEFAULT_GROUP_DISK_LIMIT, type RunContext } from './run-context.js';
import type { DiskResult, RunConsistency, RunRecord } from './run-record.js';
import { selectDisks } from './select-disks.js';
import { deriveClientToken, deriveGroupClientToken } from './snapshot-naming.js';

/**
 * Lists the instance's disks, from the disk listing's cache when it has a valid one and else
 * with DescribeDisks (every page), and picks the ones the policy covers.
 */
export async function selectRunDisks(
  instanceId: string,
  policy: PolicyConfig,
  context: RunContext | Omit<RunContext, 'journal'>,
): Promise<Disk[]> {
  const signal = context.signal;
  const disks =
    context.diskListing === undefined
      ? await context.ecs.describeInstanceDisks(instanceId, { signal })
      : (await context.diskListing.list(signal)).disks;
  return selectDisks(disks, policy.disks, {
    serialDirectory: context.serialDirectory,
    diskLookupRoots: context.diskLookupRoots,
  });
}

/**
 * Fills in a run's disks with their ClientTokens, decides between one snapshot group and
 * per-disk creates, records the consistency that decision gives, and moves the run to `creating`.
 */
export function applyPlan(
  run: RunRecord,
  disks: readonly Disk[],
  policy: PolicyConfig,
  context: Pick<RunContext, 'groupDiskLimit' | 'hooks'>,
): void {
  run.disks = disks.map((disk): DiskResult => ({
    diskId: disk.diskId,
    diskType: disk.type,
    clientToken: deriveClientToken(run.id, disk.diskId),
    status: 'pending',
  }));
  run.consistency = planConsistency(disks, policy, context);
  if (run.consistency.applied === 'group') {
    run.snapshotGroup = { clientToken: deriveGroupClientToken(run.id), status: 'pending' };
  }
  run.phase = 'creating';
}

function planConsistency(
  disks: readonly Disk[],
  policy: PolicyConfig,
  context: Pick<RunContext, 'groupDiskLimit' | 'hooks'>,
): RunConsistency {
  const requested = policy.consistency;
  if (requested === 'crash') return { requested, applied: 'crash' };

  if (requested === 'group') {
    const limit = context.groupDiskLimit ?? DEFAULT_GROUP_DISK_LIMIT;
    const reason = groupIneligibility(disks, limit);
    if (reason === undefined) return { requested, applied: 'group' };
    return {
      requested,
      applied: 'crash',
      reason: `per-disk snapshots instead of a group: ${reason}`,
    };
  }

  // The quiesce step raises this once it has frozen the filesystems or run the hooks.
  if (context.hooks?.quiesce === undefined) {
    return { requested, applied: 'crash', reason: 'this daemon has no quiesce step' };
  }
  return { requested, applied: 'crash' };
}
