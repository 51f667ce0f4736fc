import type { Tag } from './params.js';

/** The emulated instance, the one the metadata service describes. */
export interface InstanceRecord {
  instanceId: string;
  instanceName: string;
  regionId: string;
  zoneId: string;
  hostname: string;
  instanceType: string;
  ownerAccountId: string;
  status: 'Running' | 'Stopped' | 'Starting' | 'Stopping' | 'Pending';
  roleName: string;
  /** Metadata token mode: `required` rejects GETs without a session token, `optional` serves them. */
  httpTokens: 'required' | 'optional';
  creationTime: number;
  tags: Tag[];
}

/** A disk status the API reports. */
export type DiskStatus =
  'In_use' | 'Available' | 'Attaching' | 'Detaching' | 'Creating' | 'ReIniting';

/** A cloud disk, attached to the instance or not. */
export interface DiskRecord {
  diskId: string;
  diskName: string;
  serialNumber: string;
  category: string;
  type: 'system' | 'data';
  status: DiskStatus;
  /** Instance the disk is attached to, or '' when detached. */
  instanceId: string;
  device: string;
  sizeGiB: number;
  zoneId: string;
  encrypted: boolean;
  portable: boolean;
  multiAttach: boolean;
  /** Whether the disk was ever attached; a never-attached disk cannot be snapshotted. */
  everAttached: boolean;
  tags: Tag[];
  creationTime: number;
}

/** A change of a disk at an emulated time (detach, status change), applied when that time passes. */
export interface DiskEvent {
  atMs: number;
  diskId: string;
  status?: DiskStatus;
  instanceId?: string;
}

/** What a snapshot backs; such a snapshot cannot be deleted (`SnapshotCreatedImage`/`Disk`). */
export type SnapshotUsage = 'none' | 'image' | 'disk' | 'image_disk';

/** A snapshot; its status and progress are derived from the emulated clock. */
export interface SnapshotRecord {
  snapshotId: string;
  snapshotName: string;
  description: string;
  sourceDiskId: string;
  sourceDiskType: 'system' | 'data';
  sourceDiskSizeGiB: number;
  sourceDiskCategory: string;
  /** Instance the source disk was attached to when the snapshot was made. */
  instanceId: string;
  snapshotType: 'user' | 'auto';
  createdAtMs: number;
  lastModifiedMs: number;
  durationMs: number;
  availableFraction: number;
  /** Final status once the duration has passed. */
  outcome: 'accomplished' | 'failed';
  retentionDays: number | undefined;
  usage: SnapshotUsage;
  encrypted: boolean;
  tags: Tag[];
  snapshotGroupId: string | undefined;
}

/** A snapshot group: a crash-consistent set of snapshots of one instance's disks. */
export interface SnapshotGroupRecord {
  snapshotGroupId: string;
  name: string;
  description: string;
  instanceId: string;
  createdAtMs: number;
  snapshotIds: string[];
  tags: Tag[];
}
