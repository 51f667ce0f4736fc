import { afterEach, describe, expect, it } from 'vitest';
import { FakeSystem } from '../disks/fake-system.js';
import { EngineHarness } from './engine-harness.js';

describe('run of a mountpoint policy', () => {
  let harness: EngineHarness | undefined;
  let system: FakeSystem | undefined;

  afterEach(async () => {
    await harness?.close();
    await system?.remove();
  });

  async function start(mountpoints: string[]) {
    harness = await EngineHarness.start({
      policies: { db: { disks: { mountpoints } } },
      scenario: { settings: { snapshotDuration: '300ms' } },
    });
    system = await FakeSystem.create();
    // /srv/db is an LVM volume over both data disks, and / is on the system disk.
    await system.device({ name: 'vda', majorMinor: '253:0', serial: 'bp1selfsnap0sys00001' });
    await system.device({ name: 'vdb', majorMinor: '253:16', serial: 'bp1selfsnap0dat00001' });
    await system.device({
      name: 'nvme0n1',
      majorMinor: '259:0',
      deviceSerial: 'bp1selfsnap0dat00002',
      partitions: [{ name: 'nvme0n1p1', majorMinor: '259:1' }],
    });
    await system.device({ name: 'dm-0', majorMinor: '254:0', slaves: ['vdb', 'nvme0n1p1'] });
    await system.mounts([
      { mountPoint: '/', majorMinor: '253:0', source: '/dev/vda' },
      { mountPoint: '/srv/db', majorMinor: '254:0', source: '/dev/mapper/vg-db', fsType: 'xfs' },
    ]);
    const active = harness;
    return active.createManager({
      diskLookupRoots: system.roots,
      serialDirectory: {
        diskIdOf: (serial) => active.metadata.find(`disks/${serial}/id`, 'disks'),
      },
    });
  }

  it('snapshots exactly its disks when the mountpoint is an LVM volume', async () => {
    const manager = await start(['/srv/db']);

    const started = await manager.trigger({ policy: 'db', trigger: 'manual' });
    const { run } = await manager.waitFor(started.id, 'accomplished', 10_000);

    expect(run.status).toBe('succeeded');
    expect(run.disks.map((disk) => disk.diskId).sort()).toEqual([
      'd-bp1selfsnap0dat00001',
      'd-bp1selfsnap0dat00002',
    ]);
    const created = (harness as EngineHarness).emulator.control
      .requests({ action: 'CreateSnapshot' })
      .map((request) => request.params.DiskId)
      .sort();
    expect(created).toEqual(['d-bp1selfsnap0dat00001', 'd-bp1selfsnap0dat00002']);
    const asked = (harness as EngineHarness).emulator.control
      .imdsRequests()
      .filter((request) => request.path.includes('/disks/'))
      .map((request) => request.path);
    expect(asked).toContain('/latest/meta-data/disks/bp1selfsnap0dat00002/id');
  });

  it('fails the run and creates nothing when a mountpoint cannot be resolved', async () => {
    const manager = await start(['/srv/db', '/missing']);

    const run = await manager.trigger({ policy: 'db', trigger: 'manual' });

    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('MOUNTPOINT_UNRESOLVED');
    expect(run.error?.message).toContain('/missing: it is not a mount point');
    expect(
      (harness as EngineHarness).emulator.control.requests({ action: 'CreateSnapshot' }),
    ).toHaveLength(0);
  });
});
