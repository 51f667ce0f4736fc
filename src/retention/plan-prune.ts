import type { Snapshot } from '../cloud/index.js';
import { formatDuration } from '../config/index.js';
// From its own file rather than the folder's index, so that src/snapshot can import the planner
// without an import cycle.
import { TAG } from '../snapshot/snapshot-naming.js';
import { applyRetentionRules, type Decision } from './apply-retention-rules.js';
import { createPeriodLabeler } from './calendar-periods.js';
import { parseCreationTime } from './parse-creation-time.js';
import {
  DEFAULT_FAILED_GRACE_MS,
  PIN_TAG,
  type PruneEntry,
  type PruneInput,
  type PrunePlan,
} from './prune-plan.js';

const KNOWN_STATUSES = new Set(['progressing', 'accomplished', 'failed']);

interface PlannedSnapshot {
  snapshot: Snapshot;
  /** CreationTime in epoch milliseconds; NaN when it could not be read. */
  creationMs: number;
}

interface DecidedSnapshot extends PlannedSnapshot {
  decision: Decision;
}

interface PartitionedSnapshots {
  /** Snapshots decided so far. */
  planned: DecidedSnapshot[];
  /** Accomplished snapshots left for the retention rules, by SourceDiskId. */
  seriesByDisk: Map<string, PlannedSnapshot[]>;
  warnings: string[];
  ignoredCount: number;
}

/**
 * Plans which of this policy's snapshots to keep and which to delete, without side effects.
 *
 * Only snapshots tagged with this instance and policy, and not made by an automatic snapshot
 * policy, are planned. The rest are counted in `ignoredCount` and appear nowhere else. Snapshots
 * that are unreadable, previously undeletable, pinned or progressing are kept; failed ones are
 * deleted once older than `failedGrace`. The accomplished snapshots of each disk are decided by
 * applyRetentionRules, except those of a disk that is gone, which `orphans: keep` keeps.
 */
export function planPrune(input: PruneInput): PrunePlan {
  const nowMs = input.now.getTime();
  const partitioned = partitionSnapshots(input, nowMs);
  const labelPeriods = createPeriodLabeler(input.timezone);

  for (const [diskId, series] of partitioned.seriesByDisk) {
    series.sort(compareNewestFirst);
    const decisions =
      input.existingDiskIds.has(diskId) || input.rules.orphans === 'prune'
        ? applyRetentionRules(
            { creationMs: series.map((item) => item.creationMs), labelPeriods, nowMs },
            input.rules,
          )
        : series.map(() => keep('source disk gone'));
    series.forEach((item, index) => {
      partitioned.planned.push({ ...item, decision: decisions[index] as Decision });
    });
  }

  partitioned.planned.sort(compareByDisk);
  return {
    instanceId: input.instanceId,
    policy: input.policy,
    timezone: input.timezone,
    now: input.now.toISOString(),
    entries: partitioned.planned.map(toEntry),
    warnings: partitioned.warnings,
    ignoredCount: partitioned.ignoredCount,
  };
}

/** Decides on each owned snapshot the retention rules do not cover and groups the rest by disk. */
function partitionSnapshots(input: PruneInput, nowMs: number): PartitionedSnapshots {
  const partitioned: PartitionedSnapshots = {
    planned: [],
    seriesByDisk: new Map(),
    warnings: [],
    ignoredCount: 0,
  };

  for (const snapshot of input.snapshots) {
    if (!isOwned(snapshot, input)) {
      partitioned.ignoredCount++;
      continue;
    }
    const item = { snapshot, creationMs: parseCreationTime(snapshot.creationTime) ?? NaN };
    const unreadable = findUnreadableField(item);
    if (unreadable !== undefined) {
      partitioned.warnings.push(`kept snapshot ${snapshot.snapshotId}: ${unreadable}`);
    }

    const decision =
      unreadable === undefined ? classifySnapshot(item, input, nowMs) : keep(unreadable);
    if (decision !== undefined) partitioned.planned.push({ ...item, decision });
    else appendToSeries(partitioned.seriesByDisk, item);
  }
  return partitioned;
}

/** Tells whether selfsnap on this instance made the snapshot for this policy. */
function isOwned(snapshot: Snapshot, input: PruneInput): boolean {
  return (
    snapshot.tags[TAG.instance] === input.instanceId &&
    snapshot.tags[TAG.policy] === input.policy &&
    snapshot.snapshotType !== 'auto'
  );
}

/** Names the first field that makes a snapshot unsafe to decide on, or returns undefined. */
function findUnreadableField({ snapshot, creationMs }: PlannedSnapshot): string | undefined {
  if (snapshot.snapshotId === '') return 'missing SnapshotId';
  if (snapshot.sourceDiskId === '') return 'missing SourceDiskId';
  // A newer API version or a malformed response may carry a Status selfsnap does not know, and
  // parseSnapshot reads it as `unknown` and keeps the text.
  if (!KNOWN_STATUSES.has(snapshot.status)) {
    return `unknown Status "${snapshot.unknownStatus ?? String(snapshot.status)}"`;
  }
  if (Number.isNaN(creationMs)) return `unparseable CreationTime "${snapshot.creationTime}"`;
  return undefined;
}

/** Decides on a snapshot outside the retention rules, or returns undefined to leave it to them. */
function classifySnapshot(
  item: PlannedSnapshot,
  input: PruneInput,
  nowMs: number,
): Decision | undefined {
  const { snapshot } = item;
  if (input.undeletableSnapshotIds.has(snapshot.snapshotId)) return keep('previously undeletable');
  if (PIN_TAG in snapshot.tags || input.pinnedSnapshotIds.has(snapshot.snapshotId)) {
    return keep('pinned');
  }
  if (snapshot.status === 'progressing') return keep('progressing');
  if (snapshot.status === 'accomplished') return undefined;

  const grace = input.rules.failedGrace ?? DEFAULT_FAILED_GRACE_MS;
  return nowMs - item.creationMs >= grace
    ? { action: 'delete', reasons: [`failed past grace ${formatDuration(grace)}`] }
    : keep(`failed within grace ${formatDuration(grace)}`);
}

function keep(reason: string): Decision {
  return { action: 'keep', reasons: [reason] };
}

function appendToSeries(seriesByDisk: Map<string, PlannedSnapshot[]>, item: PlannedSnapshot): void {
  const series = seriesByDisk.get(item.snapshot.sourceDiskId);
  if (series === undefined) seriesByDisk.set(item.snapshot.sourceDiskId, [item]);
  else series.push(item);
}

function compareNewestFirst(a: PlannedSnapshot, b: PlannedSnapshot): number {
  // NaN (unreadable) times sort last; ids break ties so that the plan is deterministic.
  const aMs = Number.isNaN(a.creationMs) ? -Infinity : a.creationMs;
  const bMs = Number.isNaN(b.creationMs) ? -Infinity : b.creationMs;
  if (aMs !== bMs) return bMs - aMs;
  return compareText(a.snapshot.snapshotId, b.snapshot.snapshotId);
}

function compareByDisk(a: PlannedSnapshot, b: PlannedSnapshot): number {
  return compareText(a.snapshot.sourceDiskId, b.snapshot.sourceDiskId) || compareNewestFirst(a, b);
}

function compareText(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

function toEntry({ snapshot, decision }: DecidedSnapshot): PruneEntry {
  return {
    snapshotId: snapshot.snapshotId,
    diskId: snapshot.sourceDiskId,
    creationTime: snapshot.creationTime,
    action: decision.action,
    reasons: decision.reasons,
  };
}
