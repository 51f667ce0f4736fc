import type { Disk } from '../cloud/index.js';
import type { DiskSelection } from '../config/index.js';
import { SelfsnapError } from '../errors/index.js';

/** Picks the disks a policy covers from the instance's disks as DescribeDisks lists them. */
export function selectDisks(disks: Disk[], selection: DiskSelection): Disk[] {
  if (selection === 'all') return disks;
  if (selection === 'system' || selection === 'data') {
    return disks.filter((disk) => disk.type === selection);
  }
  if (Array.isArray(selection)) {
    const byId = new Map(disks.map((disk) => [disk.diskId, disk]));
    const missing = selection.filter((id) => !byId.has(id));
    if (missing.length > 0) {
      throw new SelfsnapError(
        'DISK_NOT_FOUND',
        `disks ${missing.join(', ')} are not attached to this instance`,
      );
    }
    return selection.map((id) => byId.get(id) as Disk);
  }
  // TODO: resolve mountpoints to disks through block-device serial numbers.
  throw new SelfsnapError(
    'CONFIG_INVALID',
    'disk selection by mountpoint is not supported yet: list disk ids instead',
  );
}
