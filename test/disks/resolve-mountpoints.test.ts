import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveMountpoints, type SerialDirectory } from '../../src/disks/index.js';
import { SelfsnapError } from '../../src/errors/index.js';
import { cloudDisk, FakeSystem } from './fake-system.js';

const DATA = cloudDisk('d-bp1data0000000000001');
const LOGS = cloudDisk('d-bp1logs0000000000002');
const SYSTEM = cloudDisk('d-bp1system00000000003', { type: 'system' });
const INSTANCE_DISKS = [SYSTEM, DATA, LOGS];

describe('resolveMountpoints', () => {
  let system: FakeSystem;

  beforeEach(async () => {
    system = await FakeSystem.create();
    await system.device({ name: 'vda', majorMinor: '253:0', serial: SYSTEM.serialNumber });
    await system.mounts([{ mountPoint: '/', majorMinor: '253:1', source: '/dev/vda1' }]);
  });

  afterEach(async () => {
    await system.remove();
  });

  async function resolve(mountpoints: string[], directory?: SerialDirectory) {
    return resolveMountpoints(mountpoints, {
      instanceDisks: INSTANCE_DISKS,
      roots: system.roots,
      directory,
    });
  }

  it('finds a virtio disk by /sys/block/<dev>/serial when the mountpoint is on a whole disk', async () => {
    await system.device({ name: 'vdb', majorMinor: '253:16', serial: DATA.serialNumber });
    await system.mounts([{ mountPoint: '/data', majorMinor: '253:16', source: '/dev/vdb' }]);

    const [result] = await resolve(['/data']);

    expect(result?.disks).toEqual([
      { device: 'vdb', serial: DATA.serialNumber, diskId: DATA.diskId },
    ]);
  });

  it('finds an NVMe disk by device/serial when the serial is padded with spaces', async () => {
    await system.device({
      name: 'nvme1n1',
      majorMinor: '259:2',
      deviceSerial: `${LOGS.serialNumber}      `,
    });
    await system.mounts([{ mountPoint: '/var/log', majorMinor: '259:2', source: '/dev/nvme1n1' }]);

    const [result] = await resolve(['/var/log']);

    expect(result?.disks.map((disk) => disk.diskId)).toEqual([LOGS.diskId]);
    expect(result?.disks[0]?.device).toBe('nvme1n1');
  });

  it('walks from a partition to its disk when the filesystem is on vdb1', async () => {
    await system.device({
      name: 'vdb',
      majorMinor: '253:16',
      serial: DATA.serialNumber,
      partitions: [{ name: 'vdb1', majorMinor: '253:17' }],
    });
    await system.mounts([{ mountPoint: '/data', majorMinor: '253:17', source: '/dev/vdb1' }]);

    const [result] = await resolve(['/data/']);

    expect(result?.disks.map((disk) => disk.diskId)).toEqual([DATA.diskId]);
  });

  it('returns every disk under an LVM volume when dm-0 spans a disk and a partition', async () => {
    await system.device({ name: 'vdb', majorMinor: '253:16', serial: DATA.serialNumber });
    await system.device({
      name: 'vdc',
      majorMinor: '253:32',
      serial: LOGS.serialNumber,
      partitions: [{ name: 'vdc1', majorMinor: '253:33' }],
    });
    await system.device({ name: 'dm-0', majorMinor: '254:0', slaves: ['vdb', 'vdc1'] });
    await system.mounts([
      { mountPoint: '/srv/db', majorMinor: '254:0', source: '/dev/mapper/vg0-db', fsType: 'xfs' },
    ]);

    const [result] = await resolve(['/srv/db']);

    expect(result?.source).toBe('/dev/mapper/vg0-db');
    expect(result?.disks.map((disk) => disk.diskId).sort()).toEqual(
      [DATA.diskId, LOGS.diskId].sort(),
    );
  });

  it('follows stacked device-mapper devices when a crypt volume sits on LVM', async () => {
    await system.device({ name: 'vdb', majorMinor: '253:16', serial: DATA.serialNumber });
    await system.device({ name: 'dm-0', majorMinor: '254:0', slaves: ['vdb'] });
    await system.device({ name: 'dm-1', majorMinor: '254:1', slaves: ['dm-0'] });
    await system.mounts([{ mountPoint: '/secret', majorMinor: '254:1', source: '/dev/mapper/c' }]);

    const [result] = await resolve(['/secret']);

    expect(result?.disks.map((disk) => disk.diskId)).toEqual([DATA.diskId]);
  });

  it('reads the serial from a by-id link when sysfs has no serial file', async () => {
    await system.device({ name: 'vdb', majorMinor: '253:16' });
    await system.byId(`virtio-${DATA.serialNumber}`, 'vdb');
    await system.byId(`virtio-${LOGS.serialNumber}`, 'vdc');
    await system.mounts([{ mountPoint: '/data', majorMinor: '253:16', source: '/dev/vdb' }]);

    const [result] = await resolve(['/data']);

    expect(result?.disks[0]).toEqual({
      device: 'vdb',
      serial: DATA.serialNumber,
      diskId: DATA.diskId,
    });
  });

  it('asks the metadata service when DescribeDisks lists no serial number', async () => {
    const unlisted = cloudDisk('d-bp1blank00000000004', { serialNumber: '' });
    await system.device({ name: 'vdd', majorMinor: '253:48', serial: 'bp1blank00000000004' });
    await system.mounts([{ mountPoint: '/blank', majorMinor: '253:48', source: '/dev/vdd' }]);
    const asked: string[] = [];
    const directory: SerialDirectory = {
      diskIdOf: async (serial) => {
        asked.push(serial);
        return serial === 'bp1blank00000000004' ? unlisted.diskId : undefined;
      },
    };

    const [result] = await resolveMountpoints(['/blank'], {
      instanceDisks: [...INSTANCE_DISKS, unlisted],
      roots: system.roots,
      directory,
    });

    expect(asked).toEqual(['bp1blank00000000004']);
    expect(result?.disks[0]?.diskId).toBe(unlisted.diskId);
  });

  it('decodes octal escapes when the mountpoint contains a space', async () => {
    await system.device({ name: 'vdb', majorMinor: '253:16', serial: DATA.serialNumber });
    await system.mounts([{ mountPoint: '/mnt/my data', majorMinor: '253:16', source: '/dev/vdb' }]);

    const [result] = await resolve(['/mnt/my data']);

    expect(result?.disks[0]?.diskId).toBe(DATA.diskId);
  });

  it.each([
    {
      case: 'the path is not a mount point',
      setup: async () => undefined,
      mountpoint: '/nowhere',
      message: /\/nowhere: it is not a mount point/,
    },
    {
      case: 'the filesystem is not on a block device',
      setup: async () =>
        system.mounts([
          { mountPoint: '/tmp', majorMinor: '0:42', source: 'tmpfs', fsType: 'tmpfs' },
        ]),
      mountpoint: '/tmp',
      message: /tmpfs filesystem from tmpfs \(device 0:42\) is not on a block device/,
    },
    {
      case: 'the disk has no serial number',
      setup: async () => {
        await system.device({ name: 'vdb', majorMinor: '253:16' });
        await system.mounts([{ mountPoint: '/data', majorMinor: '253:16', source: '/dev/vdb' }]);
      },
      mountpoint: '/data',
      message: /block device vdb has no serial number \(checked .*sys\/block\/vdb\/serial/,
    },
    {
      case: 'the serial is unknown to the cloud',
      setup: async () => {
        await system.device({ name: 'vdb', majorMinor: '253:16', serial: 'bp1stranger000000009' });
        await system.mounts([{ mountPoint: '/data', majorMinor: '253:16', source: '/dev/vdb' }]);
      },
      mountpoint: '/data',
      message: /serial bp1stranger000000009 of vdb belongs to no disk attached to this instance/,
    },
    {
      case: 'an LVM volume spans a disk outside the instance',
      setup: async () => {
        await system.device({ name: 'vdb', majorMinor: '253:16', serial: DATA.serialNumber });
        await system.device({ name: 'vde', majorMinor: '253:64', serial: 'bp1foreign0000000005' });
        await system.device({ name: 'dm-0', majorMinor: '254:0', slaves: ['vdb', 'vde'] });
        await system.mounts([{ mountPoint: '/db', majorMinor: '254:0', source: '/dev/dm-0' }]);
      },
      mountpoint: '/db',
      message: /serial bp1foreign0000000005 of vde belongs to no disk attached/,
    },
    {
      case: 'the by-id links name two known serials',
      setup: async () => {
        await system.device({ name: 'vdb', majorMinor: '253:16' });
        await system.byId(`virtio-${DATA.serialNumber}`, 'vdb');
        await system.byId(`nvme-Cloud_Disk_${LOGS.serialNumber}`, 'vdb');
        await system.mounts([{ mountPoint: '/data', majorMinor: '253:16', source: '/dev/vdb' }]);
      },
      mountpoint: '/data',
      message: /block device vdb has no serial number/,
    },
  ])('rejects the mountpoint when $case', async ({ setup, mountpoint, message }) => {
    await setup();

    const error = await resolve([mountpoint]).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(SelfsnapError);
    expect((error as SelfsnapError).code).toBe('MOUNTPOINT_UNRESOLVED');
    expect((error as SelfsnapError).message).toMatch(message);
    expect((error as SelfsnapError).message).toMatch(/no disk is guessed/);
  });

  it('rejects the mountpoint when the API and metadata disagree', async () => {
    await system.device({ name: 'vdb', majorMinor: '253:16', serial: DATA.serialNumber });
    await system.mounts([{ mountPoint: '/data', majorMinor: '253:16', source: '/dev/vdb' }]);

    const error = await resolve(['/data'], { diskIdOf: async () => LOGS.diskId }).catch(
      (caught: unknown) => caught as SelfsnapError,
    );

    expect(error).toBeInstanceOf(SelfsnapError);
    expect((error as SelfsnapError).message).toContain(
      `is disk ${DATA.diskId} in DescribeDisks but ${LOGS.diskId} in the metadata service`,
    );
  });

  it('rejects the mountpoint when two disks share a serial', async () => {
    const twin = cloudDisk('d-bp1twin000000000006', { serialNumber: DATA.serialNumber });
    await system.device({ name: 'vdb', majorMinor: '253:16', serial: DATA.serialNumber });
    await system.mounts([{ mountPoint: '/data', majorMinor: '253:16', source: '/dev/vdb' }]);

    const error = await resolveMountpoints(['/data'], {
      instanceDisks: [...INSTANCE_DISKS, twin],
      roots: system.roots,
    }).catch((caught: unknown) => caught as SelfsnapError);

    expect((error as SelfsnapError).code).toBe('MOUNTPOINT_UNRESOLVED');
    expect((error as SelfsnapError).message).toContain('matches several disks');
  });

  it('rejects the mountpoint when its disk is not attached', async () => {
    await system.device({ name: 'vdf', majorMinor: '253:80', serial: 'bp1detached000000007' });
    await system.mounts([{ mountPoint: '/old', majorMinor: '253:80', source: '/dev/vdf' }]);

    const error = await resolve(['/old'], {
      diskIdOf: async () => 'd-bp1detached000000007',
    }).catch((caught: unknown) => caught as SelfsnapError);

    expect((error as SelfsnapError).message).toContain(
      'vdf is disk d-bp1detached000000007, which DescribeDisks does not list as attached',
    );
  });
});
