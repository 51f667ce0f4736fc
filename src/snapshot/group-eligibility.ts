import type { Disk } from '../cloud/index.js';

// Disk categories CreateSnapshotGroup accepts.
const ESSD_FAMILY = ['cloud_essd', 'cloud_auto', 'cloud_essd_entry'];

/**
 * Returns why the disks cannot be snapshotted as one CreateSnapshotGroup (category outside the
 * ESSD family, multi-attach, several zones, more than `limit` disks), or undefined when they can.
 */
export function groupIneligibility(disks: readonly Disk[], limit: number): string | undefined {
  if (disks.length === 0) return 'the run has no disks';
  if (disks.length > limit) {
    return `${disks.length} disks exceed the snapshot group limit of ${limit} (ecs.snapshotGroupDiskLimit)`;
  }
  const outside = disks.find((disk) => !ESSD_FAMILY.includes(disk.category));
  if (outside !== undefined) {
    return `disk ${outside.diskId} is ${outside.category}; snapshot groups need ${ESSD_FAMILY.join(', ')}`;
  }
  const shared = disks.find((disk) => disk.multiAttach);
  if (shared !== undefined) {
    return `disk ${shared.diskId} has multi-attach enabled, which snapshot groups do not allow`;
  }
  const zones = [...new Set(disks.map((disk) => disk.zoneId))];
  if (zones.length > 1) return `the disks are in several zones (${zones.join(', ')})`;
  return undefined;
}
