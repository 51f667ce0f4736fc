import type { Disk } from '../cloud/index.js';
import type { DiskSelection } from '../config/index.js';
import { resolveMountpoints, type DiskLookupRoots, type SerialDirectory } from '../disks/index.js';
import { SelfsnapError } from '../errors/index.js';

/** Lookups a mountpoint selection needs to find its disks. */
export interface SelectDisksOptions {
  serialDirectory?: SerialDirectory;
  diskLookupRoots?: Partial<DiskLookupRoots>;
}

// Local and ephemeral disks live on the host and cannot be snapshotted.
const LOCAL_CATEGORY_PREFIXES = ['local', 'ephemeral'];

/**
 * Picks the disks a policy covers from the instance's disks as DescribeDisks lists them. `all`,
 * `system` and `data` leave out local disks; ids and mountpoints must all be found.
 */
export async function selectDisks(
  disks: Disk[],
  selection: DiskSelection,
  options: SelectDisksOptions = {},
): Promise<Disk[]> {
  if (selection === 'all' || selection === 'system' || selection === 'data') {
    return disks.filter(
      (disk) =>
        (selection === 'all' || disk.type === selection) &&
        !LOCAL_CATEGORY_PREFIXES.some((prefix) => disk.category.startsWith(prefix)),
    );
  }
  const requestedIds = Array.isArray(selection)
    ? selection
    : await diskIdsOfMountpoints(disks, selection.mountpoints, options);

  const byId = new Map(disks.map((disk) => [disk.diskId, disk]));
  const missing = requestedIds.filter((id) => !byId.has(id));
  if (missing.length > 0) {
    throw new SelfsnapError(
      'DISK_NOT_FOUND',
      `disks ${missing.join(', ')} are not attached to this instance`,
    );
  }
  return [...new Set(requestedIds)].map((id) => byId.get(id) as Disk);
}

async function diskIdsOfMountpoints(
  disks: Disk[],
  mountpoints: string[],
  options: SelectDisksOptions,
): Promise<string[]> {
  const resolved = await resolveMountpoints(mountpoints, {
    instanceDisks: disks,
    roots: options.diskLookupRoots,
    directory: options.serialDirectory,
  });
  return resolved.flatMap((entry) => entry.disks.map((disk) => disk.diskId));
}
