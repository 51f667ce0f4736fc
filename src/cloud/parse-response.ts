import type {
  Disk,
  Snapshot,
  SnapshotGroup,
  SnapshotGroupMember,
  SnapshotStatus,
} from './ecs-types.js';

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

/**
 * Reads one `Snapshots.Snapshot[]` entry. An unknown Status reads as `unknown` with the text kept
 * in `unknownStatus`, so that nothing treats the snapshot as failed and deletes it.
 */
export function parseSnapshot(raw: Raw): Snapshot {
  const status = parseStatus(raw.Status);
  return {
    snapshotId: text(raw.SnapshotId),
    snapshotName: text(raw.SnapshotName),
    description: text(raw.Description),
    status,
    ...(status === 'unknown' ? { unknownStatus: text(raw.Status) } : {}),
    progress: parseProgress(raw.Progress),
    available: parseBoolean(raw.Available),
    creationTime: text(raw.CreationTime),
    sourceDiskId: text(raw.SourceDiskId),
    sourceDiskType: text(raw.SourceDiskType),
    snapshotType: text(raw.SnapshotType),
    retentionDays: raw.RetentionDays === undefined ? undefined : Number(raw.RetentionDays),
    tags: parseTags(raw.Tags, 'TagKey', 'TagValue'),
  };
}

/** Reads one `SnapshotGroups.SnapshotGroup[]` entry; its tags use `Key` and `Value`. */
export function parseSnapshotGroup(raw: Raw): SnapshotGroup {
  const members = (raw.Snapshots as { Snapshot?: unknown } | undefined)?.Snapshot;
  return {
    snapshotGroupId: text(raw.SnapshotGroupId),
    name: text(raw.Name),
    instanceId: text(raw.InstanceId),
    status: parseStatus(raw.Status),
    creationTime: text(raw.CreationTime),
    tags: parseTags(raw.Tags, 'Key', 'Value'),
    snapshots: Array.isArray(members) ? (members as Raw[]).map(parseGroupMember) : [],
  };
}

function parseGroupMember(raw: Raw): SnapshotGroupMember {
  return {
    snapshotId: text(raw.SnapshotId),
    sourceDiskId: text(raw.SourceDiskId),
    progress: parseProgress(raw.Progress),
    available: parseBoolean(raw.Available),
    tags: parseTags(raw.Tags, 'Key', 'Value'),
  };
}

function parseStatus(value: unknown): SnapshotStatus {
  return SNAPSHOT_STATUSES.find((known) => known === value) ?? 'unknown';
}

function parseProgress(value: unknown): number {
  const match = /^(\d{1,3})%?$/.exec(String(value ?? ''));
  return match ? Math.min(100, Number(match[1])) : 0;
}

function parseBoolean(value: unknown): boolean {
  return value === true || value === 'true';
}

function parseTags(value: unknown, keyField: string, valueField: string): Record<string, string> {
  const list = (value as { Tag?: unknown } | undefined)?.Tag;
  if (!Array.isArray(list)) return {};
  const tags: Record<string, string> = {};
  for (const tag of list as Raw[]) {
    const key = tag[keyField];
    if (typeof key === 'string') tags[key] = text(tag[valueField]);
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
