import { afterEach, describe, expect, it } from 'vitest';
import { EngineHarness } from '../engine/engine-harness.js';

const DATA_DISK_1 = 'd-bp1selfsnap0dat00001';
const DATA_DISK_2 = 'd-bp1selfsnap0dat00002';

describe('cloud-side retentionDays', () => {
  let harness: EngineHarness | undefined;

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('sends RetentionDays on CreateSnapshot only when the policy sets it', async () => {
    harness = await EngineHarness.start({
      policies: {
        expiring: { disks: [DATA_DISK_1], retentionDays: 30 },
        lasting: { disks: [DATA_DISK_2], retentionDays: 0 },
      },
      scenario: { settings: { snapshotDuration: '200ms' } },
    });
    const manager = await harness.createManager();

    for (const policy of ['expiring', 'lasting']) {
      const run = await manager.trigger({ policy, trigger: 'manual' });
      await manager.waitFor(run.id, 'accomplished', 15_000);
    }
    const creates = harness.emulator.control.requests({ action: 'CreateSnapshot' });
    const byDisk = new Map(creates.map((request) => [request.params.DiskId, request.params]));
    const [listed] = await harness.ecs.describeSnapshots({ diskId: DATA_DISK_1 });

    expect(creates).toHaveLength(2);
    expect(byDisk.get(DATA_DISK_1)?.RetentionDays).toBe('30');
    expect(byDisk.get(DATA_DISK_2)).not.toHaveProperty('RetentionDays');
    expect(listed?.retentionDays).toBe(30);
  });
});
