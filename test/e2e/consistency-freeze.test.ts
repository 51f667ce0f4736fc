import { afterEach, beforeEach, describe, expect } from 'vitest';
import { freezeSupportGap, timeWrite } from '../consistency/real-filesystems.js';
import { realSystemIt } from '../support/require-real-system.js';
import { waitUntil } from '../support/wait.js';
import { ConsistencyWorld, DATA_DISK, type RunView } from './consistency-world.js';

const it = realSystemIt(freezeSupportGap());
// A write that has not finished after this long is taken as blocked by a freeze.
const BLOCKED_MS = 400;

function frozenPolicy(world: ConsistencyWorld, freezeTimeout: string) {
  return {
    fs: {
      disks: { mountpoints: [world.mountpoint] },
      consistency: 'filesystem',
      freeze: [world.mountpoint],
      freezeTimeout,
    },
  };
}

/** Tells whether a process still exists, by sending it signal 0. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('daemon freezing a real filesystem', () => {
  let world: ConsistencyWorld;

  beforeEach(async () => {
    world = await ConsistencyWorld.create();
  }, 30_000);

  afterEach(async () => {
    await world.cleanUp();
  }, 30_000);

  it('records the freeze window of a filesystem run', async () => {
    const daemon = await world.startDaemon(frozenPolicy(world, '10s'));
    world.emulator.control.injectLatency({ action: 'CreateSnapshot', latencyMs: 1000, count: 1 });

    const finished = daemon.trigger('fs');
    await daemon.waitForLog('filesystems frozen');
    const blocked = await timeWrite(world.mountpoint, BLOCKED_MS);
    const run = await finished;

    expect(blocked, 'a write went through while the filesystem was frozen').toBeUndefined();
    expect(run.status).toBe('succeeded');
    expect(run.disks.map((disk) => disk.diskId)).toEqual([DATA_DISK]);
    expect(run.consistency).toEqual({ requested: 'filesystem', applied: 'filesystem' });
    expect(run.quiesce).toEqual({ status: 'released' });
    expect(run.freezeWindowMs).toBeGreaterThanOrEqual(1000);
    expect(run.freezeWindowMs).toBeLessThan(10_000);
    expect(world.consistencyTags(run.id)).toEqual(['filesystem']);
    expect(await timeWrite(world.mountpoint, 2000)).toBeDefined();
    expect(await daemon.waitForLog('released by the daemon')).toMatchObject({
      component: 'thaw-watchdog',
    });
    expect(await daemon.waitForLog('run released')).toMatchObject({
      runId: run.id,
      freezeWindowMs: run.freezeWindowMs,
    });
    expect(await daemon.getText('/metrics')).toContain(
      'selfsnap_freeze_window_seconds_count{policy="fs"} 1',
    );
  }, 60_000);

  it('thaws within freezeTimeout when the daemon is killed while frozen', async () => {
    const daemon = await world.startDaemon(frozenPolicy(world, '5s'));
    world.emulator.control.injectLatency({ action: 'CreateSnapshot', latencyMs: 4000, count: 1 });

    await daemon.trigger('fs', 'none');
    await daemon.waitForLog('filesystems frozen');
    const { watchdogPid } = await daemon.waitForLog('watchdog armed');
    expect(await timeWrite(world.mountpoint, BLOCKED_MS)).toBeUndefined();
    await daemon.kill('SIGKILL');
    const writeMs = await timeWrite(world.mountpoint, 5000 + 1000);

    expect(writeMs, 'still frozen 6 s after the daemon died').toBeDefined();
    // The deadline is about 4 s away, so a thaw this early comes from the closed pipe.
    expect(writeMs).toBeLessThan(2000);
    await waitUntil(
      async () => (isRunning(watchdogPid as number) ? undefined : true),
      5000,
      'the watchdog to exit',
    );

    // The restarted daemon resumes the run and cannot tell whether the freeze lasted.
    const restarted = await world.startDaemon(frozenPolicy(world, '5s'));
    const [runId] = (await restarted.get<{ runs: RunView[] }>('/v1/runs')).runs.map((r) => r.id);
    const run = await waitUntil(
      async () => {
        const current = await restarted.get<RunView>(`/v1/runs/${runId}`);
        return current.status === 'running' ? undefined : current;
      },
      30_000,
      'the resumed run to finish',
    );
    expect(run.status).toBe('succeeded');
    expect(run.consistency).toEqual({
      requested: 'filesystem',
      applied: 'crash',
      reason:
        'the daemon restarted while the run was quiesced, so the filesystem quiesce may have ended before the creates were accepted',
    });
    expect(world.consistencyTags(run.id)).toEqual(['crash']);
  }, 90_000);

  it('thaws and runs post first when the daemon gets SIGTERM', async () => {
    const pre = await world.hook('pre.sh');
    const post = await world.hook('post.sh');
    const policies = {
      app: {
        disks: { mountpoints: [world.mountpoint] },
        consistency: 'application',
        freeze: [world.mountpoint],
        hooks: { pre, post },
      },
    };
    const daemon = await world.startDaemon(policies);
    world.emulator.control.injectLatency({ action: 'CreateSnapshot', latencyMs: 3000, count: 1 });

    await daemon.trigger('app', 'none');
    await daemon.waitForLog('filesystems frozen');
    const stopping = daemon.kill('SIGTERM');
    const writeMs = await timeWrite(world.mountpoint, 2000);
    await stopping;

    expect(writeMs, 'still frozen 2 s after SIGTERM').toBeDefined();
    // Post ran before the daemon exited and before the create in flight had its snapshot id.
    expect(await world.hookCalls()).toEqual(['pre ids=', 'post ids=']);
    expect(await daemon.exited).toEqual({ code: 0, signal: null });
    const restarted = await world.startDaemon(policies);
    const [listed] = (await restarted.get<{ runs: RunView[] }>('/v1/runs')).runs;
    const run = await waitUntil(
      async () => {
        const current = await restarted.get<RunView>(`/v1/runs/${listed?.id}`);
        return current.status === 'running' ? undefined : current;
      },
      30_000,
      'the interrupted run to finish',
    );
    expect(run.status).toBe('succeeded');
    expect(run.consistency).toEqual({
      requested: 'application',
      applied: 'crash',
      reason:
        'the daemon stopped and released the run first, so the application quiesce may have ended before the creates were accepted',
    });
    expect(world.consistencyTags(run.id)).toEqual(['crash']);
    expect(await world.hookCalls()).toEqual(['pre ids=', 'post ids=']);
  }, 90_000);

  it('tags crash when the freeze deadline passes before the creates', async () => {
    const daemon = await world.startDaemon(frozenPolicy(world, '1s'));
    world.emulator.control.injectLatency({ action: 'CreateSnapshot', latencyMs: 2500, count: 1 });

    const finished = daemon.trigger('fs');
    await daemon.waitForLog('filesystems frozen');
    // The watchdog thaws at 1 s while the create still waits for its answer.
    const writeMs = await timeWrite(world.mountpoint, 2000);
    const writableAt = Date.now();
    const run = await finished;

    expect(writeMs).toBeDefined();
    expect(Date.parse(run.disks[0]?.acceptedAt ?? '')).toBeGreaterThan(writableAt);
    expect(run.status).toBe('succeeded');
    expect(run.consistency).toEqual({
      requested: 'filesystem',
      applied: 'crash',
      reason:
        'the watchdog thawed at the freeze deadline (1000 ms), so the filesystem quiesce may have ended before the creates were accepted',
    });
    expect(world.consistencyTags(run.id)).toEqual(['crash']);
    const [tagCall] = world.emulator.control.requests({ action: 'TagResources' });
    expect(tagCall?.params).toMatchObject({
      'Tag.1.Key': 'selfsnap:consistency',
      'Tag.1.Value': 'crash',
    });
    expect(await daemon.waitForLog('watchdog thawed at the freeze deadline')).toBeDefined();
  }, 60_000);
});
