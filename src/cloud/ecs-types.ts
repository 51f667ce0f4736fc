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

/** Snapshot states the ECS API reports. */
export type SnapshotStatus = 'progressing' | 'accomplished' | 'failed';

/** A snapshot as DescribeSnapshots returns it, trimmed to what selfsnap uses. */
export interface Snapshot {
  snapshotId: string;
  snapshotName: string;
  description: string;
  status: SnapshotStatus;
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
