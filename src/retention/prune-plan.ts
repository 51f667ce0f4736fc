import type { Snapshot } from '../cloud/index.js';

/** Retention rules of one policy, as in the `retention` config section (durations in ms). */
export interface RetentionRules {
  /** Keep the N newest accomplished snapshots of each disk. */
  keepLast?: number;
  /** Keep the newest snapshot in each of the last N local hours that have one. */
  hourly?: number;
  /** Keep the newest snapshot in each of the last N local days that have one. */
  daily?: number;
  /** Keep the newest snapshot in each of the last N ISO weeks that have one. */
  weekly?: number;
  /** Keep the newest snapshot in each of the last N local months that have one. */
  monthly?: number;
  /** Keep the newest snapshot in each of the last N local years that have one. */
  yearly?: number;
  /** Delete snapshots older than this, whatever the rules above keep; minKeep still applies. */
  maxAge?: number;
  /** Number of accomplished snapshots per disk that no rule can go below; default 1. */
  minKeep?: number;
  /** Time after which a failed snapshot is deleted; default 24 hours. */
  failedGrace?: number;
  /** Handling of snapshots whose disk no longer exists: kept (default) or pruned by the rules. */
  orphans?: 'keep' | 'prune';
}

/** Everything planPrune needs; a listing is turned into one by buildPruneInput. */
export interface PruneInput {
  /** Snapshots from DescribeSnapshots; the planner ignores those it does not own. */
  snapshots: readonly Snapshot[];
  rules: RetentionRules;
  /** IANA timezone of the policy, in which hours, days, weeks, months and years are counted. */
  timezone: string;
  now: Date;
  instanceId: string;
  policy: string;
  /** Snapshots kept whatever the rules say, in addition to those tagged `selfsnap:pin`. */
  pinnedSnapshotIds: ReadonlySet<string>;
  /** Snapshots whose deletion failed for good before; they are left alone and not counted. */
  undeletableSnapshotIds: ReadonlySet<string>;
  /** Source disks that still exist; snapshots of any other disk follow the `orphans` rule. */
  existingDiskIds: ReadonlySet<string>;
}

/** What the plan does with one snapshot. */
export type PruneAction = 'keep' | 'delete';

/** The planner's decision on one owned snapshot, with the rules that made it. */
export interface PruneEntry {
  snapshotId: string;
  /** The snapshot's SourceDiskId. */
  diskId: string;
  creationTime: string;
  action: PruneAction;
  /** Every keep rule that selects the snapshot, or the rule that deletes it. */
  reasons: string[];
}

/** Decisions on every snapshot this policy owns on this instance, grouped by disk, newest first. */
export interface PrunePlan {
  instanceId: string;
  policy: string;
  timezone: string;
  /** The `now` the plan was computed for, as an ISO 8601 UTC time. */
  now: string;
  entries: PruneEntry[];
  /** Snapshots kept because a field could not be read, one message each. */
  warnings: string[];
  /** Number of listed snapshots that belong to someone else and are left out of `entries`. */
  ignoredCount: number;
}

/** Tag that pins a snapshot whatever its value; pinned snapshots are never deleted. */
export const PIN_TAG = 'selfsnap:pin';

/** Default time a failed snapshot is kept for inspection before it is deleted: 24 hours. */
export const DEFAULT_FAILED_GRACE_MS = 86_400_000;
