import type { Disk, Snapshot, SnapshotStatus } from './ecs-types.js';

type Raw = Record<string, unknown>;

const SNAPSHOT_STATUSES: readonly SnapshotStatus[] = ['progressing', 'accomplished', 'failed'];

/** Reads one `Disks.Disk[]` entry. */
export function parseDisk(raw: Raw): Disk {
  return {
    diskId: text(raw.DiskId),
    diskName: text(raw.DiskName),
    category: text(raw.Category),
    type: raw.Type === 'system' ? 'system' : 'data',
    status: text(raw.Status),
    instanceId: text(raw.InstanceId),
    device: text(raw.Device),
    serialNumber: text(raw.SerialNumber),
    size: Number(raw.Size ?? 0),
    zoneId: text(raw.ZoneId),
    multiAttach: raw.MultiAttach === 'Enabled' || raw.MultiAttach === true,
  };
}

/** Reads one `Snapshots.Snapshot[]` entry; an unknown Status reads as `failed`. */
export function parseSnapshot(raw: Raw): Snapshot {
  const status = SNAPSHOT_STATUSES.find((known) => known === raw.Status) ?? 'failed';
  return {
    snapshotId: text(raw.SnapshotId),
    snapshotName: text(raw.SnapshotName),
    description: text(raw.Description),
    status,
    progress: parseProgress(raw.Progress),
    available: raw.Available === true || raw.Available === 'true',
    creationTime: text(raw.CreationTime),
    sourceDiskId: text(raw.SourceDiskId),
    sourceDiskType: text(raw.SourceDiskType),
    snapshotType: text(raw.SnapshotType),
    retentionDays: raw.RetentionDays === undefined ? undefined : Number(raw.RetentionDays),
    tags: parseTags(raw.Tags),
  };
}

function parseProgress(value: unknown): number {
  const match = /^(\d{1,3})%?$/.exec(String(value ?? ''));
  return match ? Math.min(100, Number(match[1])) : 0;
}

function parseTags(value: unknown): Record<string, string> {
  const list = (value as { Tag?: unknown } | undefined)?.Tag;
  if (!Array.isArray(list)) return {};
  const tags: Record<string, string> = {};
  for (const tag of list as Raw[]) {
    if (typeof tag.TagKey === 'string') tags[tag.TagKey] = text(tag.TagValue);
  }
  return tags;
}

function text(value: unknown): string {
  return typeof value === 'string'
    ? value
    : value === undefined || value === null
      ? ''
      : String(value);
}
