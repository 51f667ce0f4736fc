import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Disk } from '../cloud/index.js';
import type { Logger } from '../log/index.js';
import { readTrimmed } from './block-device-tree.js';

/** Options of an instance's disk cache. */
export interface InstanceDiskCacheOptions {
  /** Lists the instance's disks from the API (DescribeDisks, every page). */
  describe: (signal?: AbortSignal) => Promise<Disk[]>;
  /** The sysfs root whose block devices tell when disks were attached or detached. */
  sysRoot: string;
  /** Age past which a listing is fetched again even though the block devices did not change. */
  maxAgeMs?: number;
  logger?: Logger;
  /** Time source of the listing's age; `Date.now` by default. */
  now?: () => number;
}

/** The origin of a listing: the cache or a DescribeDisks call. */
export type DiskListingSource = 'cache' | 'api';

interface Listing {
  disks: Disk[];
  fetchedAt: number;
  /** The block devices when the listing was fetched, or undefined when sysfs was unreadable. */
  devices?: string;
}

/**
 * Default age past which a cached listing is fetched again. Attaching or detaching a cloud disk
 * adds or removes a block device, which invalidates the listing at once. The age limit catches
 * changes the instance cannot see, such as a disk moved to another category.
 */
export const DEFAULT_DISK_LISTING_MAX_AGE_MS = 30 * 60_000;
// Without a readable sysfs nothing shows an attach or detach, so a listing is trusted this long.
const BLIND_MAX_AGE_MS = 60_000;

/**
 * Keeps the instance's last DescribeDisks listing, so a triggered run can send its creates
 * without a round trip first. A listing is reused while the block devices under sysfs, by name
 * and serial number, are the ones seen when it was fetched and it is younger than the age limit.
 */
export class InstanceDiskCache {
  private listing?: Listing;
  private fetching?: Promise<Disk[]>;
  private readonly now: () => number;

  constructor(private readonly options: InstanceDiskCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Returns the instance's disks, from the cache when it is still valid. */
  async list(signal?: AbortSignal): Promise<{ disks: Disk[]; source: DiskListingSource }> {
    const listing = this.listing;
    if (listing !== undefined && (await this.isValid(listing))) {
      return { disks: listing.disks, source: 'cache' };
    }
    return { disks: await this.refresh(signal), source: 'api' };
  }

  /** Fetches the listing now; calls made while one fetch runs share it. */
  refresh(signal?: AbortSignal): Promise<Disk[]> {
    this.fetching ??= this.fetch(signal).finally(() => {
      this.fetching = undefined;
    });
    return this.fetching;
  }

  /** Drops the listing, so the next run lists the disks again. */
  invalidate(reason: string): void {
    if (this.listing === undefined) return;
    this.listing = undefined;
    this.options.logger?.info({ reason }, 'disk listing dropped');
  }

  private async fetch(signal?: AbortSignal): Promise<Disk[]> {
    const devices = await readBlockDevices(this.options.sysRoot);
    const fetchedAt = this.now();
    const disks = await this.options.describe(signal);
    this.logChanges(this.listing?.disks, disks);
    this.listing = { disks, fetchedAt, devices };
    return disks;
  }

  private async isValid(listing: Listing): Promise<boolean> {
    const age = this.now() - listing.fetchedAt;
    if (listing.devices === undefined) return age < BLIND_MAX_AGE_MS;
    if (age >= (this.options.maxAgeMs ?? DEFAULT_DISK_LISTING_MAX_AGE_MS)) return false;
    return (await readBlockDevices(this.options.sysRoot)) === listing.devices;
  }

  private logChanges(before: Disk[] | undefined, after: Disk[]): void {
    if (before === undefined) return;
    const ids = (disks: Disk[]) => new Set(disks.map((disk) => disk.diskId));
    const [old, current] = [ids(before), ids(after)];
    const attached = [...current].filter((id) => !old.has(id));
    const detached = [...old].filter((id) => !current.has(id));
    if (attached.length === 0 && detached.length === 0) return;
    this.options.logger?.info({ attached, detached }, 'instance disks changed');
  }
}

// Kernel-made block devices never carry a cloud disk, and a host may have hundreds of loop devices,
// so their names are listed but their serial numbers are not read.
const VIRTUAL_DEVICE_PATTERN = /^(loop|ram|zram|dm-|md|nbd|sr|fd)\d/;

/**
 * Reads the block devices under `<sysRoot>/block` with the serial numbers of the ones that can be
 * cloud disks, as one sorted string. Returns undefined when the folder cannot be read.
 */
export async function readBlockDevices(sysRoot: string): Promise<string | undefined> {
  const folder = join(sysRoot, 'block');
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return undefined;
  }
  const entries = await Promise.all(
    names.sort().map(async (name) => {
      if (VIRTUAL_DEVICE_PATTERN.test(name)) return name;
      // virtio-blk keeps the serial in `serial`, NVMe and SCSI in `device/serial`.
      const serial =
        (await readTrimmed(join(folder, name, 'serial'))) ||
        (await readTrimmed(join(folder, name, 'device/serial')));
      return `${name}=${serial}`;
    }),
  );
  return entries.join('\n');
}
