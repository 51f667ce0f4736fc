import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SelfsnapError } from '../errors/index.js';

/** A block device as sysfs shows it under `/sys/block`. */
export interface BlockDevice {
  /** Kernel name, e.g. `vdb`, `vdb1`, `nvme1n1`, `dm-0`. */
  name: string;
  majorMinor: string;
  /** The whole disk a partition belongs to. */
  parent?: string;
  /** Devices a device-mapper or md device is built on (`slaves/`). */
  slaves: string[];
}

// Device-mapper stacks are rarely more than a few levels deep; a loop means a broken tree.
const MAX_STACK_DEPTH = 16;

/** The block devices of one sysfs tree, indexed by name and by `major:minor`. */
export class BlockDeviceTree {
  private constructor(
    private readonly byName: Map<string, BlockDevice>,
    private readonly byNumber: Map<string, BlockDevice>,
  ) {}

  /** Reads `<sysRoot>/block/*` with their partitions, device numbers and slaves. */
  static async read(sysRoot: string): Promise<BlockDeviceTree> {
    const blockRoot = join(sysRoot, 'block');
    const devices: BlockDevice[] = [];
    for (const name of await listFolder(blockRoot)) {
      const folder = join(blockRoot, name);
      const slaves = await listFolder(join(folder, 'slaves'));
      devices.push({ name, majorMinor: await readTrimmed(join(folder, 'dev')), slaves });
      for (const entry of await listFolder(folder)) {
        if ((await readTrimmed(join(folder, entry, 'partition'))) === '') continue;
        const majorMinor = await readTrimmed(join(folder, entry, 'dev'));
        devices.push({ name: entry, majorMinor, parent: name, slaves: [] });
      }
    }
    return new BlockDeviceTree(
      new Map(devices.map((device) => [device.name, device])),
      new Map(devices.map((device) => [device.majorMinor, device])),
    );
  }

  /** Returns the device with this `major:minor`, if sysfs lists one. */
  byMajorMinor(majorMinor: string): BlockDevice | undefined {
    return this.byNumber.get(majorMinor);
  }

  /**
   * Returns the whole disks under a device: a partition's disk, and for device-mapper (LVM,
   * crypt) or md devices the disks under every slave, however deeply stacked.
   */
  physicalDisksOf(name: string, depth = 0): string[] {
    const device = this.byName.get(name);
    if (device === undefined) {
      throw new SelfsnapError('MOUNTPOINT_UNRESOLVED', `block device ${name} is not in sysfs`);
    }
    if (depth > MAX_STACK_DEPTH) {
      throw new SelfsnapError(
        'MOUNTPOINT_UNRESOLVED',
        `block device ${name} is stacked more than ${MAX_STACK_DEPTH} levels deep`,
      );
    }
    if (device.parent !== undefined) return this.physicalDisksOf(device.parent, depth + 1);
    if (device.slaves.length === 0) return [device.name];
    const disks = device.slaves.flatMap((slave) => this.physicalDisksOf(slave, depth + 1));
    return [...new Set(disks)];
  }
}

async function listFolder(path: string): Promise<string[]> {
  try {
    return (await readdir(path)).sort();
  } catch {
    return [];
  }
}

/** Reads a sysfs attribute; a missing or unreadable one reads as ''. */
export async function readTrimmed(path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return '';
  }
}
