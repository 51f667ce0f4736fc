import { ApiError } from './api-error.js';
import type { DiskRecord, SnapshotRecord } from './records.js';
import type { EmulatorState } from './state.js';
import { snapshotProgressAt } from './snapshot-view.js';

/** Categories that allow several snapshots in progress and snapshot groups. */
export const ESSD_FAMILY = ['cloud_essd', 'cloud_auto', 'cloud_essd_entry'];
/** Categories that can be snapshotted at all; local and ephemeral disks cannot. */
const SNAPSHOT_CATEGORIES = ['cloud', 'cloud_efficiency', 'cloud_ssd', ...ESSD_FAMILY];

/** Returns the disk or throws 404 `InvalidDiskId.NotFound`. */
export function requireDisk(state: EmulatorState, diskId: string): DiskRecord {
  const disk = state.findDisk(diskId);
  if (disk === undefined) {
    throw new ApiError(404, 'InvalidDiskId.NotFound', `The disk "${diskId}" does not exist.`);
  }
  return disk;
}

/** Returns the snapshots of a disk that are still in progress at `now`. */
export function snapshotsInProgress(
  state: EmulatorState,
  diskId: string,
  now: number,
): SnapshotRecord[] {
  return [...state.snapshots.values()].filter(
    (snapshot) =>
      snapshot.sourceDiskId === diskId &&
      snapshotProgressAt(snapshot, now).status === 'progressing',
  );
}

/**
 * Checks that a new snapshot of `disk` may start now: a snapshot-capable category, an attached
 * (or once attached) disk on a running or stopped instance, the manual quota and concurrency.
 * `tooManyInProgressCode` is the error code when the ESSD in-progress limit is reached.
 */
export function checkSnapshotAllowed(
  state: EmulatorState,
  disk: DiskRecord,
  now: number,
  tooManyInProgressCode = 'QuotaExceed.ConcurrentSnapshotQuota',
): void {
  if (!SNAPSHOT_CATEGORIES.includes(disk.category)) {
    throw new ApiError(
      400,
      'DiskCategory.OperationNotSupported',
      `Disks of category ${disk.category} cannot be snapshotted.`,
    );
  }
  checkDiskStatus(state, disk);

  const manual = [...state.snapshots.values()].filter(
    (snapshot) => snapshot.sourceDiskId === disk.diskId && snapshot.snapshotType === 'user',
  );
  if (manual.length >= state.settings.manualSnapshotQuotaPerDisk) {
    throw new ApiError(
      403,
      'QuotaExceed.Snapshot',
      `The disk "${disk.diskId}" already has ${manual.length} manual snapshots, the maximum.`,
    );
  }

  const running = snapshotsInProgress(state, disk.diskId, now).length;
  if (!ESSD_FAMILY.includes(disk.category) && running > 0) {
    throw new ApiError(
      403,
      'IncorrectDiskStatus.CreatingSnapshot',
      `A snapshot of the ${disk.category} disk "${disk.diskId}" is still being created.`,
    );
  }
  if (running >= state.settings.essdConcurrentSnapshotLimit) {
    throw new ApiError(
      403,
      tooManyInProgressCode,
      `The disk "${disk.diskId}" already has ${running} snapshots in progress, the maximum.`,
    );
  }
}

function checkDiskStatus(state: EmulatorState, disk: DiskRecord): void {
  if (disk.status === 'Available' && !disk.everAttached) {
    throw new ApiError(
      403,
      'IncorrectDiskStatus.NeverAttached',
      `The disk "${disk.diskId}" has never been attached to an instance.`,
    );
  }
  if (disk.status !== 'In_use' && disk.status !== 'Available') {
    throw new ApiError(
      403,
      'IncorrectDiskStatus',
      `The disk "${disk.diskId}" is ${disk.status}; it must be In_use or Available.`,
    );
  }
  const { instance } = state;
  const onOurInstance = disk.status === 'In_use' && disk.instanceId === instance.instanceId;
  if (onOurInstance && instance.status !== 'Running' && instance.status !== 'Stopped') {
    throw new ApiError(
      400,
      'IncorrectInstanceStatus',
      `The instance "${instance.instanceId}" is ${instance.status}; it must be Running or Stopped.`,
    );
  }
}
