import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Disk } from '../../src/cloud/index.js';
import type { DiskLookupRoots } from '../../src/disks/index.js';

/** A whole block device in a fake sysfs. */
export interface FakeDevice {
  name: string;
  majorMinor: string;
  /** Written to `/sys/block/<name>/serial` (virtio-blk). */
  serial?: string;
  /** Written to `/sys/block/<name>/device/serial` (NVMe, SCSI). */
  deviceSerial?: string;
  partitions?: Array<{ name: string; majorMinor: string }>;
  /** Devices under a device-mapper device (`slaves/`). */
  slaves?: string[];
}

/** One mount in the fake mountinfo. */
export interface FakeMount {
  mountPoint: string;
  majorMinor: string;
  source: string;
  fsType?: string;
}

/** A fake `/proc/self/mountinfo`, `/sys` and `/dev/disk/by-id` under a temporary folder. */
export class FakeSystem {
  private constructor(readonly folder: string) {}

  static async create(): Promise<FakeSystem> {
    return new FakeSystem(await mkdtemp(join(tmpdir(), 'selfsnap-disks-')));
  }

  get roots(): DiskLookupRoots {
    return {
      mountinfo: join(this.folder, 'proc/self/mountinfo'),
      sys: join(this.folder, 'sys'),
      byId: join(this.folder, 'dev/disk/by-id'),
    };
  }

  /** Writes mountinfo lines in the kernel's format. */
  async mounts(mounts: FakeMount[]): Promise<void> {
    const lines = mounts.map(
      (mount, index) =>
        `${20 + index} 1 ${mount.majorMinor} / ${mount.mountPoint.replace(/ /g, '\\040')} rw,relatime shared:${index + 1} - ${mount.fsType ?? 'ext4'} ${mount.source} rw`,
    );
    await writeText(this.roots.mountinfo, `${lines.join('\n')}\n`);
  }

  /** Adds a device with its partitions, serial files and slaves. */
  async device(device: FakeDevice): Promise<void> {
    const folder = join(this.roots.sys, 'block', device.name);
    await writeText(join(folder, 'dev'), `${device.majorMinor}\n`);
    await writeText(join(folder, 'size'), '209715200\n');
    await mkdir(join(folder, 'queue'), { recursive: true });
    if (device.serial !== undefined) await writeText(join(folder, 'serial'), `${device.serial}\n`);
    if (device.deviceSerial !== undefined) {
      await writeText(join(folder, 'device/serial'), `${device.deviceSerial}\n`);
    }
    for (const partition of device.partitions ?? []) {
      await writeText(join(folder, partition.name, 'dev'), `${partition.majorMinor}\n`);
      await writeText(join(folder, partition.name, 'partition'), '1\n');
    }
    await mkdir(join(folder, 'slaves'), { recursive: true });
    for (const slave of device.slaves ?? []) {
      await symlink(`../../${slave}`, join(folder, 'slaves', slave));
    }
  }

  /** Adds a `/dev/disk/by-id` link to a device. */
  async byId(name: string, device: string): Promise<void> {
    await mkdir(this.roots.byId, { recursive: true });
    await symlink(`../../${device}`, join(this.roots.byId, name));
  }

  async remove(): Promise<void> {
    await rm(this.folder, { recursive: true, force: true });
  }
}

async function writeText(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

/** Builds a Disk as DescribeDisks would list it. */
export function cloudDisk(diskId: string, overrides: Partial<Disk> = {}): Disk {
  return {
    diskId,
    diskName: '',
    category: 'cloud_essd',
    type: 'data',
    status: 'In_use',
    instanceId: 'i-bp1test',
    device: '/dev/xvdb',
    serialNumber: diskId.slice(2),
    size: 100,
    zoneId: 'cn-hangzhou-k',
    multiAttach: false,
    ...overrides,
  };
}
