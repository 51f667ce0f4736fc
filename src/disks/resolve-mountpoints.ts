import { readFile } from 'node:fs/promises';
import type { Disk } from '../cloud/index.js';
import { SelfsnapError, toSelfsnapError } from '../errors/index.js';
import { BlockDeviceTree } from './block-device-tree.js';
import { findMount, parseMountinfo, type MountEntry } from './parse-mountinfo.js';
import { readDiskSerial } from './read-disk-serial.js';

/** Locations disk resolution reads; tests point them at fake trees. */
export interface DiskLookupRoots {
  mountinfo: string;
  sys: string;
  byId: string;
}

/** The real locations on Linux. */
export const DEFAULT_DISK_LOOKUP_ROOTS: DiskLookupRoots = {
  mountinfo: '/proc/self/mountinfo',
  sys: '/sys',
  byId: '/dev/disk/by-id',
};

/** Maps a disk serial number to a disk id, as the metadata service's `disks/<serial>/id` does. */
export interface SerialDirectory {
  /** Returns the disk id, or undefined when the service lists no disk with this serial. */
  diskIdOf(serial: string): Promise<string | undefined>;
}

/** A whole disk under a mountpoint and the cloud disk it is. */
export interface ResolvedDisk {
  device: string;
  serial: string;
  diskId: string;
}

/** The cloud disks a mountpoint lives on; LVM and RAID volumes may span several. */
export interface MountpointDisks {
  mountpoint: string;
  source: string;
  disks: ResolvedDisk[];
}

/** Inputs of the resolution besides the mountpoints. */
export interface ResolveOptions {
  /** The instance's disks as DescribeDisks lists them; nothing outside them is ever chosen. */
  instanceDisks: readonly Disk[];
  roots?: Partial<DiskLookupRoots>;
  directory?: SerialDirectory;
}

/**
 * Resolves mountpoints to the instance's cloud disks through block-device serial numbers, never
 * device names, walking partitions and device-mapper or md stacks down to the whole disks.
 * Throws MOUNTPOINT_UNRESOLVED when any disk cannot be identified with certainty.
 */
export async function resolveMountpoints(
  mountpoints: readonly string[],
  options: ResolveOptions,
): Promise<MountpointDisks[]> {
  const roots = { ...DEFAULT_DISK_LOOKUP_ROOTS, ...options.roots };
  const mounts = parseMountinfo(await readMountinfo(roots.mountinfo));
  const tree = await BlockDeviceTree.read(roots.sys);

  const results: MountpointDisks[] = [];
  for (const mountpoint of mountpoints) {
    const entry = findMount(mounts, mountpoint);
    if (entry === undefined) {
      throw unresolved(mountpoint, `it is not a mount point (not listed in ${roots.mountinfo})`);
    }
    const wholeDisks = physicalDisks(tree, entry, mountpoint);
    const disks: ResolvedDisk[] = [];
    for (const device of wholeDisks) {
      disks.push(await identifyDisk(device, mountpoint, roots, options));
    }
    results.push({ mountpoint, source: entry.source, disks });
  }
  return results;
}

function physicalDisks(tree: BlockDeviceTree, entry: MountEntry, mountpoint: string): string[] {
  const device = tree.byMajorMinor(entry.majorMinor);
  if (device === undefined) {
    throw unresolved(
      mountpoint,
      `its ${entry.fsType} filesystem from ${entry.source} (device ${entry.majorMinor}) is not on a block device`,
    );
  }
  try {
    return tree.physicalDisksOf(device.name);
  } catch (error) {
    throw unresolved(mountpoint, toSelfsnapError(error).message);
  }
}

async function identifyDisk(
  device: string,
  mountpoint: string,
  roots: DiskLookupRoots,
  options: ResolveOptions,
): Promise<ResolvedDisk> {
  const known = options.instanceDisks.map((disk) => disk.serialNumber).filter((s) => s !== '');
  const lookup = await readDiskSerial(roots.sys, roots.byId, device, known);
  if (lookup.serial === undefined) {
    throw unresolved(
      mountpoint,
      `block device ${device} has no serial number (checked ${lookup.checked.join(', ')})`,
    );
  }
  const diskId = await diskIdOfSerial(lookup.serial, device, mountpoint, options);
  return { device, serial: lookup.serial, diskId };
}

async function diskIdOfSerial(
  serial: string,
  device: string,
  mountpoint: string,
  options: ResolveOptions,
): Promise<string> {
  const listed = options.instanceDisks.filter((disk) => disk.serialNumber === serial);
  if (listed.length > 1) {
    const ids = listed.map((disk) => disk.diskId).join(', ');
    throw unresolved(mountpoint, `serial ${serial} of ${device} matches several disks (${ids})`);
  }

  const { diskId: fromMetadata, error: metadataError } = await askDirectory(serial, options);
  const fromApi = listed[0]?.diskId;
  if (fromApi !== undefined && fromMetadata !== undefined && fromApi !== fromMetadata) {
    throw unresolved(
      mountpoint,
      `serial ${serial} of ${device} is disk ${fromApi} in DescribeDisks but ${fromMetadata} in the metadata service`,
    );
  }
  const diskId = fromApi ?? fromMetadata;
  if (diskId === undefined) {
    const detail = metadataError === undefined ? '' : ` (metadata lookup failed: ${metadataError})`;
    throw unresolved(
      mountpoint,
      `serial ${serial} of ${device} belongs to no disk attached to this instance${detail}`,
    );
  }
  if (!options.instanceDisks.some((disk) => disk.diskId === diskId)) {
    throw unresolved(
      mountpoint,
      `${device} is disk ${diskId}, which DescribeDisks does not list as attached to this instance`,
    );
  }
  return diskId;
}

/** Asks the metadata service for a serial's disk id; a failed lookup is returned, not thrown. */
async function askDirectory(
  serial: string,
  options: ResolveOptions,
): Promise<{ diskId?: string; error?: string }> {
  try {
    return { diskId: await options.directory?.diskIdOf(serial) };
  } catch (error) {
    return { error: toSelfsnapError(error).message };
  }
}

async function readMountinfo(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new SelfsnapError('MOUNTPOINT_UNRESOLVED', `cannot read ${path}`, { cause: error });
  }
}

function unresolved(mountpoint: string, reason: string): SelfsnapError {
  return new SelfsnapError(
    'MOUNTPOINT_UNRESOLVED',
    `cannot tell which cloud disk holds ${mountpoint}: ${reason}; no disk is guessed, so list disk ids in the policy instead`,
  );
}
