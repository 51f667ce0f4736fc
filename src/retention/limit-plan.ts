import type { PrunePlan } from './prune-plan.js';

/**
 * Turns a plan's deletions on disks outside `diskIds` into keeps, with the reason `reasonFor`
 * gives, so that a run deletes only snapshots of the disks it has just snapshotted.
 */
export function limitPlanToDisks(
  plan: PrunePlan,
  diskIds: ReadonlySet<string>,
  reasonFor: (diskId: string) => string,
): PrunePlan {
  const entries = plan.entries.map((entry) =>
    entry.action === 'delete' && !diskIds.has(entry.diskId)
      ? { ...entry, action: 'keep' as const, reasons: [reasonFor(entry.diskId)] }
      : entry,
  );
  return { ...plan, entries };
}
