import { describe, expect, it } from 'vitest';

import { withEmulator } from './conformance.js';
import { parseScenario } from './index.js';
import { callAction } from './sdk-client.js';

const DISK = 'd-bp1selfsnap0dat00001';
const REGION = { RegionId: 'cn-hangzhou' };

async function diskStatus(client: Parameters<Parameters<typeof withEmulator>[1]>[1]) {
  const body = await callAction(client, 'DescribeDisks', {
    ...REGION,
    DiskIds: JSON.stringify([DISK]),
  });
  const [disk] = (body['Disks'] as { Disk: Array<{ Status: string; InstanceId: string }> }).Disk;
  return disk;
}

describe('scenario', () => {
  it('applies disk events when their emulated time comes', async () => {
    const scenario = {
      diskEvents: [
        { after: '30s', diskId: DISK, status: 'Detaching' as const },
        { after: '40s', diskId: DISK, status: 'Available' as const, instanceId: '' },
      ],
    };
    await withEmulator(scenario, async (emulator, client) => {
      const before = await diskStatus(client);
      emulator.control.advanceClock(30_000);
      const detaching = await diskStatus(client);
      const rejected = callAction(client, 'CreateSnapshot', { DiskId: DISK });
      await expect(rejected).rejects.toMatchObject({ code: 'IncorrectDiskStatus' });
      emulator.control.advanceClock(10_000);
      const detached = await diskStatus(client);

      expect(before).toMatchObject({ Status: 'In_use', InstanceId: emulator.instance.instanceId });
      expect(detaching).toMatchObject({ Status: 'Detaching' });
      expect(detached).toMatchObject({ Status: 'Available', InstanceId: '' });
      await expect(callAction(client, 'CreateSnapshot', { DiskId: DISK })).resolves.toBeDefined();
    });
  });

  it('drops a detached disk from the metadata disk listing', async () => {
    await withEmulator({ instance: { httpTokens: 'optional' } }, async (emulator) => {
      emulator.control.changeDisk({ diskId: DISK, status: 'Available', instanceId: '' });

      const listing = await (await fetch(`${emulator.imdsUrl}/latest/meta-data/disks/`)).text();

      expect(listing.split('\n')).toEqual(['bp1selfsnap0sys00001/', 'bp1selfsnap0dat00002/']);
    });
  });

  it('ends snapshots of a disk as failed when a snapshot failure is planned', async () => {
    const scenario = { faults: { snapshotFailures: [{ diskId: DISK, count: 1 }] } };
    await withEmulator(scenario, async (emulator, client) => {
      await callAction(client, 'CreateSnapshot', { DiskId: DISK });
      await callAction(client, 'CreateSnapshot', { DiskId: DISK });
      emulator.control.advanceClock(3_000);

      const body = await callAction(client, 'DescribeSnapshots', { ...REGION, Status: 'failed' });

      const failed = (body['Snapshots'] as { Snapshot: Array<{ Available: boolean }> }).Snapshot;
      expect(failed).toHaveLength(1);
      expect(failed[0]?.Available).toBe(false);
    });
  });

  it('keeps a seeded progressing snapshot running for one snapshot duration', async () => {
    const scenario = {
      snapshots: [{ diskId: DISK, status: 'progressing' as const, createdAgo: '1m' }],
    };
    await withEmulator(scenario, async (emulator) => {
      const [running] = emulator.control.snapshots();
      emulator.control.advanceClock(3_000);
      const [done] = emulator.control.snapshots();

      expect(running?.status).toBe('progressing');
      expect(done?.status).toBe('accomplished');
    });
  });

  it('runs the clock at the configured speed', async () => {
    await withEmulator({ clock: { offset: 0, speed: 100 } }, async (emulator) => {
      const start = Date.parse(emulator.control.clock().now);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const elapsed = Date.parse(emulator.control.clock().now) - start;

      expect(elapsed).toBeGreaterThanOrEqual(4_000);
    });
  });

  it('drops tags whose value is undefined', () => {
    const scenario = parseScenario({
      snapshots: [{ diskId: DISK, tags: { kept: 'v', dropped: undefined } }],
    });

    expect(scenario.snapshots[0]?.tags).toEqual({ kept: 'v' });
  });

  it.each([
    ['an unknown section', { extras: {} }, 'extras'],
    [
      'a bad duration',
      { settings: { snapshotDuration: '3 minutes' } },
      'settings.snapshotDuration',
    ],
    ['an unknown disk status', { disks: [{ diskId: DISK, status: 'Broken' }] }, 'disks[0].status'],
    ['a disk id without d-', { disks: [{ diskId: 'disk-1' }] }, 'disks[0].diskId'],
  ])('rejects %s and names the key path', (_case, scenario, path) => {
    expect(() => parseScenario(scenario)).toThrow(path);
  });
});
