import { formatApiTime } from './ids.js';
import type { Tag } from './params.js';
import type { SnapshotRecord } from './records.js';

/** The progress of a snapshot at one emulated moment. */
export interface SnapshotProgress {
  status: 'progressing' | 'accomplished' | 'failed';
  /** Whole percent, 0..100. */
  percent: number;
  remainTimeSeconds: number;
  available: boolean;
}

/** Derives status, percent, remaining time and `Available` from creation time and duration. */
export function snapshotProgressAt(snapshot: SnapshotRecord, nowMs: number): SnapshotProgress {
  const elapsed = Math.max(0, nowMs - snapshot.createdAtMs);
  if (elapsed >= snapshot.durationMs) {
    const accomplished = snapshot.outcome === 'accomplished';
    return {
      status: snapshot.outcome,
      percent: accomplished ? 100 : Math.floor(snapshot.availableFraction * 100),
      remainTimeSeconds: 0,
      available: accomplished,
    };
  }

  const fraction = elapsed / snapshot.durationMs;
  return {
    status: 'progressing',
    percent: Math.min(99, Math.floor(fraction * 100)),
    remainTimeSeconds: Math.ceil((snapshot.durationMs - elapsed) / 1000),
    available: snapshot.outcome === 'accomplished' && fraction >= snapshot.availableFraction,
  };
}

/** Wraps tags the way most ECS responses do: `{Tag: [{TagKey, TagValue}]}`. */
export function toApiTags(tags: readonly Tag[]): {
  Tag: Array<{ TagKey: string; TagValue: string }>;
} {
  return { Tag: tags.map((tag) => ({ TagKey: tag.key, TagValue: tag.value })) };
}

/** Builds one entry of `Snapshots.Snapshot` in a DescribeSnapshots response. */
export function toApiSnapshot(
  snapshot: SnapshotRecord,
  nowMs: number,
  regionId: string,
): Record<string, unknown> {
  const progress = snapshotProgressAt(snapshot, nowMs);
  return {
    SnapshotId: snapshot.snapshotId,
    SnapshotName: snapshot.snapshotName,
    Description: snapshot.description,
    Status: progress.status,
    Progress: `${progress.percent}%`,
    RemainTime: progress.remainTimeSeconds,
    Available: progress.available,
    CreationTime: formatApiTime(snapshot.createdAtMs),
    LastModifiedTime: formatApiTime(snapshot.lastModifiedMs),
    SourceDiskId: snapshot.sourceDiskId,
    SourceDiskType: snapshot.sourceDiskType,
    SourceDiskSize: String(snapshot.sourceDiskSizeGiB),
    SourceStorageType: 'disk',
    SnapshotType: snapshot.snapshotType,
    Usage: snapshot.usage,
    ...(snapshot.retentionDays === undefined ? {} : { RetentionDays: snapshot.retentionDays }),
    Category: 'standard',
    InstantAccess: false,
    Encrypted: snapshot.encrypted,
    ProductCode: '',
    RegionId: regionId,
    ResourceGroupId: '',
    Tags: toApiTags(snapshot.tags),
  };
}
