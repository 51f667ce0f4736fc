import { afterEach, describe, expect, it } from 'vitest';
import type { RunHooks, RunPrune, RunRecord } from '../../src/snapshot/index.js';
import { EngineHarness } from './engine-harness.js';

const POLICIES = {
  everything: { disks: 'all' },
  data: { disks: 'data' },
  frozen: { disks: 'data', consistency: 'filesystem' },
};

describe('RunManager flow', () => {
  let harness: EngineHarness | undefined;

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('joins the run in flight when a second trigger names the same disks', async () => {
    harness = await EngineHarness.start({
      policies: POLICIES,
      scenario: { settings: { snapshotDuration: '2s' } },
    });
    const manager = await harness.createManager();

    const first = await manager.trigger({ policy: 'everything', trigger: 'schedule' });
    const second = await manager.trigger({ policy: 'everything', trigger: 'hook' });
    const third = await manager.trigger({ policy: 'data', trigger: 'manual' });

    expect(second.id).toBe(first.id);
    expect(third.id).toBe(first.id);
    await manager.waitFor(first.id, 'accomplished', 15_000);
    expect(harness.emulator.control.requests({ action: 'CreateSnapshot' })).toHaveLength(3);
    expect(harness.logs.find('joining run in flight')).toHaveLength(2);
  });

  it('snapshots only the free disks when some are in another run', async () => {
    harness = await EngineHarness.start({
      policies: POLICIES,
      scenario: { settings: { snapshotDuration: '2s' } },
    });
    const manager = await harness.createManager();

    const dataRun = await manager.trigger({ policy: 'data', trigger: 'schedule' });
    const allRun = await manager.trigger({ policy: 'everything', trigger: 'manual' });

    expect(allRun.id).not.toBe(dataRun.id);
    expect(allRun.disks.map((disk) => disk.diskId)).toEqual(['d-bp1selfsnap0sys00001']);
    expect(allRun.joined).toEqual([
      { diskId: 'd-bp1selfsnap0dat00001', runId: dataRun.id },
      { diskId: 'd-bp1selfsnap0dat00002', runId: dataRun.id },
    ]);
    await manager.waitFor(allRun.id, 'accomplished', 15_000);
    await manager.waitFor(dataRun.id, 'accomplished', 15_000);
    expect(harness.emulator.control.requests({ action: 'CreateSnapshot' })).toHaveLength(3);
  });

  it('starts a new run for the same disks when the earlier one finished', async () => {
    harness = await EngineHarness.start({
      policies: POLICIES,
      scenario: { settings: { snapshotDuration: '200ms' } },
    });
    const manager = await harness.createManager();

    const first = await manager.trigger({ policy: 'data', trigger: 'manual' });
    await manager.waitFor(first.id, 'accomplished', 15_000);
    const second = await manager.trigger({ policy: 'data', trigger: 'manual' });

    expect(second.id).not.toBe(first.id);
    expect(second.disks).toHaveLength(2);
  });

  it('calls quiesce, release and prune at their points when a policy freezes', async () => {
    harness = await EngineHarness.start({
      policies: POLICIES,
      scenario: { settings: { snapshotDuration: '300ms' } },
    });
    const events: string[] = [];
    const active = harness;
    const creates = () => active.emulator.control.requests({ action: 'CreateSnapshot' }).length;
    const hooks: RunHooks = {
      quiesce: async () => {
        events.push(`quiesce creates=${creates()}`);
        return 'filesystem';
      },
      release: async (run) => {
        events.push(
          `release creates=${creates()} accepted=${run.disks.filter((d) => d.snapshotId).length}`,
        );
      },
      prune: async (run) => {
        events.push(`prune ${run.disks.map((disk) => `${disk.diskId} ${disk.status}`).join(', ')}`);
        return undefined;
      },
    };
    const manager = await harness.createManager({ hooks });

    const started = await manager.trigger({ policy: 'frozen', trigger: 'manual' });
    const { run } = await manager.waitFor(started.id, 'accomplished', 15_000);

    expect(run.status).toBe('succeeded');
    expect(events.slice(0, 2)).toEqual(['quiesce creates=0', 'release creates=2 accepted=2']);
    expect(events.slice(2)).toEqual([
      'prune d-bp1selfsnap0dat00001 accomplished, d-bp1selfsnap0dat00002 accomplished',
    ]);
    expect(run.prune).toBeUndefined();
    expect(run.consistency).toEqual({ requested: 'filesystem', applied: 'filesystem' });
    expect(run.quiesce).toEqual({ status: 'released' });
    for (const snapshot of harness.emulator.control.snapshots()) {
      expect(snapshot.tags).toContainEqual({ key: 'selfsnap:consistency', value: 'filesystem' });
    }
  });

  it('records the prune and ends partial when a snapshot proves undeletable', async () => {
    harness = await EngineHarness.start({
      policies: POLICIES,
      scenario: { settings: { snapshotDuration: '200ms' } },
    });
    const prune = (undeletable: string[]): RunPrune => ({
      status: 'pruned',
      diskIds: ['d-bp1selfsnap0dat00001', 'd-bp1selfsnap0dat00002'],
      deleted: ['s-old1'],
      kept: 4,
      undeletable,
      retryLater: [],
      finishedAt: new Date().toISOString(),
    });
    const results = [prune(['s-image']), prune([])];
    const manager = await harness.createManager({
      hooks: { prune: async () => results.shift() },
    });

    const first = await manager.trigger({ policy: 'data', trigger: 'schedule' });
    const partial = await manager.waitFor(first.id, 'accomplished', 15_000);
    const second = await manager.trigger({ policy: 'data', trigger: 'schedule' });
    const succeeded = await manager.waitFor(second.id, 'accomplished', 15_000);

    expect(partial.run.status).toBe('partial');
    expect(partial.run.prune?.undeletable).toEqual(['s-image']);
    expect(succeeded.run.status).toBe('succeeded');
    expect(succeeded.run.prune?.deleted).toEqual(['s-old1']);
  });

  it('records a skipped prune and still succeeds when the prune hook throws', async () => {
    harness = await EngineHarness.start({
      policies: POLICIES,
      scenario: { settings: { snapshotDuration: '200ms' } },
    });
    const manager = await harness.createManager({
      hooks: {
        prune: async () => {
          throw new Error('state folder is read-only');
        },
      },
    });

    const started = await manager.trigger({ policy: 'data', trigger: 'schedule' });
    const { run } = await manager.waitFor(started.id, 'accomplished', 15_000);

    expect(run.status).toBe('succeeded');
    expect(run.prune).toMatchObject({
      status: 'skipped',
      reason: 'pruning failed: state folder is read-only',
    });
    expect(harness.logs.find('pruning failed; the next run tries again')).toHaveLength(1);
  });

  it('releases and fails the run when quiesce throws', async () => {
    harness = await EngineHarness.start({ policies: POLICIES });
    let released = 0;
    const manager = await harness.createManager({
      hooks: {
        quiesce: async () => {
          throw new Error('pre hook exited with 3');
        },
        release: async () => {
          released++;
        },
      },
    });

    const started = await manager.trigger({ policy: 'frozen', trigger: 'manual' });
    const { run } = await manager.waitFor(started.id, 'accomplished', 15_000);

    expect(run.status).toBe('failed');
    expect(run.error?.message).toBe('pre hook exited with 3');
    expect(released).toBe(1);
    expect(harness.emulator.control.requests({ action: 'CreateSnapshot' })).toHaveLength(0);
  });

  it('records crash consistency when a filesystem policy runs without a quiesce step', async () => {
    harness = await EngineHarness.start({
      policies: POLICIES,
      scenario: { settings: { snapshotDuration: '200ms' } },
    });
    const manager = await harness.createManager();

    const started = await manager.trigger({ policy: 'frozen', trigger: 'manual' });
    const { run } = await manager.waitFor(started.id, 'accomplished', 15_000);

    expect(run.consistency).toEqual({
      requested: 'filesystem',
      applied: 'crash',
      reason: 'this daemon has no quiesce step',
    });
  });

  it('fails the run without creating anything when DescribeDisks is denied', async () => {
    harness = await EngineHarness.start({
      policies: POLICIES,
      scenario: { settings: { allowedActions: ['CreateSnapshot'] } },
    });
    const manager = await harness.createManager();

    const run: RunRecord = await manager.trigger({ policy: 'everything', trigger: 'manual' });

    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'ECS_FORBIDDEN', ecsCode: 'Forbidden.RAM' });
    expect(harness.emulator.control.requests({ action: 'CreateSnapshot' })).toHaveLength(0);
  });
});
