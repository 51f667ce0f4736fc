import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InstanceDiskCache } from '../../src/disks/index.js';
import type { RunManager, RunRecord } from '../../src/snapshot/index.js';
import { FakeSystem } from '../disks/fake-system.js';
import { EngineHarness } from './engine-harness.js';

const SYSTEM = 'd-bp1selfsnap0sys00001';
const DATA_1 = 'd-bp1selfsnap0dat00001';
const DATA_2 = 'd-bp1selfsnap0dat00002';
const FAST = { settings: { snapshotDuration: '200ms' } };

describe('InstanceDiskCache in runs', () => {
  let harness: EngineHarness | undefined;
  let system: FakeSystem | undefined;

  afterEach(async () => {
    await harness?.close();
    await system?.remove();
    harness = undefined;
    system = undefined;
  });

  /** Starts an emulator, a fake sysfs with one virtio disk per cloud disk, and a cached manager. */
  async function start(
    options: { now?: () => number; maxAgeMs?: number; policies?: Record<string, unknown> } = {},
  ) {
    const { policies, ...cacheOptions } = options;
    const active = await EngineHarness.start({ scenario: FAST, policies });
    harness = active;
    system = await FakeSystem.create();
    const serials = [SYSTEM, DATA_1, DATA_2].map((diskId) => diskId.replace(/^d-/, ''));
    for (const [index, serial] of serials.entries()) {
      await system.device({ name: `vd${'abc'[index]}`, majorMinor: `253:${index * 16}`, serial });
    }
    const cache = new InstanceDiskCache({
      describe: (signal) =>
        active.ecs.describeInstanceDisks(active.identity.instanceId, { signal }),
      sysRoot: system.roots.sys,
      logger: active.logs.logger,
      ...cacheOptions,
    });
    await cache.refresh();
    const manager = await active.createManager({ diskListing: cache });
    active.emulator.control.clearRequests();
    return { active, manager, cache, fake: system };
  }

  async function runOnce(manager: RunManager): Promise<RunRecord> {
    const run = await manager.trigger({ policy: 'manual', trigger: 'hook' });
    return (await manager.waitFor(run.id, 'accomplished', 15_000)).run;
  }

  function countCalls(active: EngineHarness, action: string): number {
    return active.emulator.control.requests({ action }).length;
  }

  it('sends only the creates when the listing is valid', async () => {
    const { active, manager } = await start();

    const run = await manager.trigger({ policy: 'manual', trigger: 'hook' });
    await manager.waitFor(run.id, 'accepted', 15_000);

    expect(countCalls(active, 'DescribeDisks')).toBe(0);
    const creates = active.emulator.control.requests({ action: 'CreateSnapshot' });
    expect(creates.map((request) => request.params.DiskId).sort()).toEqual(
      [DATA_1, DATA_2, SYSTEM].sort(),
    );
    expect(active.emulator.control.requests()[0]?.action).toBe('CreateSnapshot');
  });

  it('lists the disks again when a block device is removed', async () => {
    const { active, manager, fake } = await start();
    active.emulator.control.changeDisk({ diskId: DATA_2, instanceId: '' });
    await rm(join(fake.roots.sys, 'block/vdc'), { recursive: true });

    const run = await runOnce(manager);

    expect(countCalls(active, 'DescribeDisks')).toBe(1);
    expect(run.disks.map((disk) => disk.diskId).sort()).toEqual([DATA_1, SYSTEM].sort());
    expect(active.logs.find('instance disks changed')).toEqual([
      expect.objectContaining({ attached: [], detached: [DATA_2] }),
    ]);
  });

  it('lists the disks again after a create is rejected for its disk', async () => {
    const { active, manager } = await start();
    active.emulator.control.changeDisk({ diskId: DATA_2, status: 'Detaching' });

    const first = await runOnce(manager);
    expect(first.disks.find((disk) => disk.diskId === DATA_2)?.status).toBe('skipped');
    expect(countCalls(active, 'DescribeDisks')).toBe(0);
    await runOnce(manager);

    expect(countCalls(active, 'DescribeDisks')).toBe(1);
    expect(active.logs.find('disk listing dropped')[0]).toMatchObject({
      reason: `CreateSnapshot of ${DATA_2} was rejected`,
    });
  });

  it('lists the disks again after a snapshot group is rejected', async () => {
    const { active, manager } = await start({
      policies: { manual: { disks: 'data', consistency: 'group' } },
    });
    active.emulator.control.injectError({
      action: 'CreateSnapshotGroup',
      code: 'InvalidParameter',
      httpStatus: 400,
      count: 1,
    });

    const first = await runOnce(manager);
    expect(first.status).toBe('failed');
    expect(countCalls(active, 'DescribeDisks')).toBe(0);
    await runOnce(manager);

    expect(countCalls(active, 'DescribeDisks')).toBe(1);
    expect(active.logs.find('disk listing dropped')[0]).toMatchObject({
      reason: 'CreateSnapshotGroup was rejected with InvalidParameter',
    });
  });

  it('lists the disks again when the listing is older than the age limit', async () => {
    let now = Date.now();
    const { active, manager } = await start({ now: () => now, maxAgeMs: 60_000 });

    await runOnce(manager);
    expect(countCalls(active, 'DescribeDisks')).toBe(0);
    now += 60_000;
    await runOnce(manager);

    expect(countCalls(active, 'DescribeDisks')).toBe(1);
  });
});
