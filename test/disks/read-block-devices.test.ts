import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readBlockDevices } from '../../src/disks/index.js';
import { FakeSystem } from './fake-system.js';

describe('readBlockDevices', () => {
  let system: FakeSystem | undefined;

  afterEach(async () => {
    await system?.remove();
    system = undefined;
  });

  it('lists disks with serials and loop devices by name', async () => {
    system = await FakeSystem.create();
    await system.device({ name: 'vda', majorMinor: '253:0', serial: 'bp1sys' });
    await system.device({ name: 'nvme0n1', majorMinor: '259:0', deviceSerial: 'bp1nvme' });
    await system.device({ name: 'loop0', majorMinor: '7:0', serial: 'never-read' });

    const devices = await readBlockDevices(system.roots.sys);

    expect(devices).toBe('loop0\nnvme0n1=bp1nvme\nvda=bp1sys');
  });

  it('changes when a disk is replaced under the same name', async () => {
    system = await FakeSystem.create();
    await system.device({ name: 'vdb', majorMinor: '253:16', serial: 'bp1first' });
    const before = await readBlockDevices(system.roots.sys);

    await writeFile(join(system.roots.sys, 'block/vdb/serial'), 'bp1second\n');

    expect(await readBlockDevices(system.roots.sys)).not.toBe(before);
  });

  it('returns undefined when sysfs has no block folder', async () => {
    system = await FakeSystem.create();
    await system.device({ name: 'vda', majorMinor: '253:0', serial: 'bp1sys' });
    await rm(join(system.roots.sys, 'block'), { recursive: true });

    expect(await readBlockDevices(system.roots.sys)).toBeUndefined();
  });
});
