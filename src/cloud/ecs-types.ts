/** A cloud disk as DescribeDisks returns it, trimmed to what selfsnap uses. */
export interface Disk {
  diskId: string;
  diskName: string;
  category: string;
  type: 'system' | 'data';
  status: string;
  instanceId: string;
  device: string;
  serialNumber: string;
  size: number;
  zoneId: string;
  multiAttach: boolean;
}

/**
 * Snapshot states the ECS API reports, and `unknown` for a Status selfsnap does not know, which
 * is never read as finished or failed.
 */
export type SnapshotStatus = 'progressing' | 'accomplished' | 'failed' | 'unknown';

/** A snapshot as DescribeSnapshots returns it, trimmed to what selfsnap uses. */
export interface Snapshot {
  snapshotId: string;
  snapshotName: string;
  description: string;
  status: SnapshotStatus;
  /** The Status text as the API sent it, when `status` is `unknown`. */
  unknownStatus?: string;
  /** Percent complete, 0-100, from the `Progress` string ("NN%"). */
  progress: number;
  available: boolean;
  creationTime: string;
  sourceDiskId: string;
  sourceDiskType: string;
  snapshotType: string;
  retentionDays?: number;
  tags: Record<string, string>;
}

/** Parameters of one CreateSnapshot call. */
export interface CreateSnapshotInput {
  diskId: string;
  snapshotName: string;
  description?: string;
  clientToken: string;
  retentionDays?: number;
  tags: Record<string, string>;
}

/** Filters of a DescribeSnapshots listing; every page is read. */
export interface SnapshotFilter {
  snapshotIds?: string[];
  instanceId?: string;
  diskId?: string;
  tags?: Record<string, string>;
}

/** Parameters of one CreateSnapshotGroup call. */
export interface CreateSnapshotGroupInput {
  instanceId: string;
  diskIds: string[];
  name: string;
  description?: string;
  clientToken: string;
  tags: Record<string, string>;
}

/** One member of a snapshot group as DescribeSnapshotGroups lists it. */
export interface SnapshotGroupMember {
  snapshotId: string;
  sourceDiskId: string;
  progress: number;
  available: boolean;
  tags: Record<string, string>;
}

/** A snapshot group as DescribeSnapshotGroups returns it, trimmed to what selfsnap uses. */
export interface SnapshotGroup {
  snapshotGroupId: string;
  name: string;
  instanceId: string;
  status: SnapshotStatus;
  creationTime: string;
  tags: Record<string, string>;
  snapshots: SnapshotGroupMember[];
}

/** Filters of a DescribeSnapshotGroups listing; every page is read. */
export interface SnapshotGroupFilter {
  instanceId?: string;
  /** At most 10 ids a call; longer lists go in several calls. */
  snapshotGroupIds?: string[];
  tags?: Record<string, string>;
}
