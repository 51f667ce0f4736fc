import type { Snapshot } from '../../src/cloud/index.js';
import { planPrune, type PruneInput, type PrunePlan } from '../../src/retention/index.js';

export const INSTANCE_ID = 'i-bp1retention';
export const POLICY = 'nightly';
export const DISK_ID = 'd-bp1data';
export const NOW = new Date('2026-12-04T12:00:00Z');

/** Tags selfsnap writes on its own snapshots of the test policy. */
export const OWNED_TAGS = { 'selfsnap:instance': INSTANCE_ID, 'selfsnap:policy': POLICY };

/** Derives a readable snapshot id from the creation time: `s-20261204T0300`. */
export function idFor(creationTime: string, diskId = DISK_ID): string {
  const compact = creationTime.replace(/[-:]/g, '').slice(0, 13);
  return diskId === DISK_ID ? `s-${compact}` : `s-${compact}-${diskId}`;
}

/** Builds an accomplished snapshot owned by the test policy, with `overrides` applied. */
export function snapshotAt(creationTime: string, overrides: Partial<Snapshot> = {}): Snapshot {
  const diskId = overrides.sourceDiskId ?? DISK_ID;
  return {
    snapshotId: idFor(creationTime, diskId),
    snapshotName: `selfsnap-${POLICY}-${creationTime.replace(/[-:]/g, '')}`,
    description: 'selfsnap schedule',
    status: 'accomplished',
    progress: 100,
    available: true,
    creationTime,
    sourceDiskId: diskId,
    sourceDiskType: 'data',
    snapshotType: 'user',
    ...overrides,
    tags: { ...OWNED_TAGS, ...overrides.tags },
  };
}

/** Builds `count` snapshots `stepHours` apart, the newest at `newest`, newest first. */
export function seriesBack(
  newest: string,
  count: number,
  stepHours: number,
  overrides: Partial<Snapshot> = {},
): Snapshot[] {
  const newestMs = Date.parse(newest);
  return Array.from({ length: count }, (_, index) => {
    const time = new Date(newestMs - index * stepHours * 3_600_000);
    return snapshotAt(time.toISOString().replace('.000Z', 'Z'), overrides);
  });
}

/** Plans with the test instance and policy, every disk existing, nothing pinned or undeletable. */
export function planFor(
  snapshots: readonly Snapshot[],
  options: Partial<Omit<PruneInput, 'snapshots'>> = {},
): PrunePlan {
  const diskIds = new Set(snapshots.map((snapshot) => snapshot.sourceDiskId));
  return planPrune({
    snapshots,
    rules: {},
    timezone: 'UTC',
    now: NOW,
    instanceId: INSTANCE_ID,
    policy: POLICY,
    pinnedSnapshotIds: new Set(),
    undeletableSnapshotIds: new Set(),
    existingDiskIds: diskIds,
    ...options,
  });
}

/** Ids of the snapshots a plan keeps, in plan order. */
export function keptIds(plan: PrunePlan): string[] {
  return plan.entries.filter((entry) => entry.action === 'keep').map((entry) => entry.snapshotId);
}

/** Ids of the snapshots a plan deletes, in plan order. */
export function deletedIds(plan: PrunePlan): string[] {
  return plan.entries.filter((entry) => entry.action === 'delete').map((entry) => entry.snapshotId);
}

/** Returns the reasons of one entry, or fails the test when the plan does not list the snapshot. */
export function reasonsOf(plan: PrunePlan, snapshotId: string): string[] {
  const entry = plan.entries.find((candidate) => candidate.snapshotId === snapshotId);
  if (entry === undefined) throw new Error(`the plan does not list ${snapshotId}`);
  return entry.reasons;
}
