import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/cloud/index.js';
import type { RunRecord } from '../../src/snapshot/index.js';
import { waitUntil } from '../support/wait.js';
import { EngineHarness } from './engine-harness.js';

const DATA_1 = 'd-bp1selfsnap0dat00001';

/** Creates a clock that runs `speed` times faster than real time, for the run's own waiting. */
function fastClock(speed: number): Clock {
  const origin = Date.now();
  return {
    now: () => origin + (Date.now() - origin) * speed,
    sleep: (ms, signal) =>
      new Promise((resolve) => {
        const timer = setTimeout(resolve, ms / speed);
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}

describe('waiting, stopping and resuming runs', () => {
  let harness: EngineHarness | undefined;

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  async function manager(...options: Parameters<EngineHarness['createManager']>) {
    return (harness as EngineHarness).createManager(...options);
  }

  async function storedRun(runId: string): Promise<RunRecord> {
    const path = join((harness as EngineHarness).config.stateDir, 'runs', `${runId}.json`);
    return JSON.parse(await readFile(path, 'utf8')) as RunRecord;
  }

  function createCalls(): number {
    return (harness as EngineHarness).emulator.control.requests({ action: 'CreateSnapshot' })
      .length;
  }

  it('parks the run and finishes it later when maxWait passes', async () => {
    // The snapshots take 10 emulated minutes, which the test skips later with the emulator's clock.
    // The run's own clock runs 60 times faster, so its one-minute maxWait ends after a second.
    harness = await EngineHarness.start({
      policies: { slow: { disks: 'all', maxWait: '1m' } },
      scenario: { settings: { snapshotDuration: '10m' } },
    });
    const runs = await manager(
      { clock: fastClock(60), pollIntervalMs: { initial: 6000, max: 12_000 } },
      { recheckIntervalMs: 300 },
    );

    const started = await runs.trigger({ policy: 'slow', trigger: 'manual' });
    const parked = await waitUntil(
      async () =>
        runs.getRun(started.id)?.waitExceededAt === undefined ? undefined : runs.getRun(started.id),
      10_000,
      'the run to pass maxWait',
    );

    expect(parked).toMatchObject({ status: 'running', phase: 'waiting' });
    expect((await storedRun(started.id)).waitExceededAt).toBe(parked.waitExceededAt);
    expect(
      harness.logs.find('snapshots still in progress after maxWait; checking again later'),
    ).toHaveLength(1);
    const polls = harness.emulator.control.requests({ action: 'DescribeSnapshots' }).length;
    await waitUntil(
      async () =>
        (harness?.emulator.control.requests({ action: 'DescribeSnapshots' }).length ?? 0) > polls ||
        undefined,
      5000,
      'a later check',
    );
    expect(runs.getRun(started.id)?.status).toBe('running');

    harness.emulator.control.advanceClock(10 * 60_000);
    const { run } = await runs.waitFor(started.id, 'accomplished', 10_000);

    expect(run.status).toBe('succeeded');
    expect(createCalls()).toBe(3);
    expect(harness.emulator.control.requests({ action: 'DeleteSnapshot' })).toHaveLength(0);
  });

  it('resumes a parked run when the daemon starts again', async () => {
    harness = await EngineHarness.start({
      policies: { slow: { disks: 'all', maxWait: '1m' } },
      scenario: { settings: { snapshotDuration: '10m' } },
    });
    const first = await manager({
      clock: fastClock(60),
      pollIntervalMs: { initial: 6000, max: 12_000 },
    });
    const started = await first.trigger({ policy: 'slow', trigger: 'manual' });
    await waitUntil(
      async () => first.getRun(started.id)?.waitExceededAt,
      10_000,
      'the run to park',
    );
    await first.stop(5000);

    harness.emulator.control.advanceClock(10 * 60_000);
    const second = await manager();
    const { run } = await second.waitFor(started.id, 'accomplished', 10_000);

    expect(run.status).toBe('succeeded');
    expect(createCalls()).toBe(3);
  });

  it('keeps the snapshot ids and resumes without a create when stopped while waiting', async () => {
    harness = await EngineHarness.start({ scenario: { settings: { snapshotDuration: '3s' } } });
    const first = await manager();
    const started = await first.trigger({ policy: 'manual', trigger: 'manual' });
    await first.waitFor(started.id, 'accepted', 5000);

    expect(await first.stop(5000)).toBe(true);

    const stored = await storedRun(started.id);
    expect(stored).toMatchObject({ status: 'running', phase: 'waiting' });
    expect(stored.disks.every((disk) => disk.snapshotId !== undefined)).toBe(true);
    expect(harness.logs.find('run interrupted; it resumes on the next start')).toHaveLength(1);
    const second = await manager();
    const { run } = await second.waitFor(started.id, 'accomplished', 10_000);
    expect(run.status).toBe('succeeded');
    expect(createCalls()).toBe(3);
  });

  it('lets creates in flight record their snapshot ids when stopped', async () => {
    harness = await EngineHarness.start({ scenario: { settings: { snapshotDuration: '1s' } } });
    harness.emulator.control.injectLatency({ action: 'CreateSnapshot', latencyMs: 800 });
    const runs = await manager();
    const started = await runs.trigger({ policy: 'manual', trigger: 'manual' });
    await waitUntil(async () => createCalls() === 3 || undefined, 5000, 'three creates sent');

    expect(await runs.stop(5000)).toBe(true);

    const stored = await storedRun(started.id);
    expect(stored.phase).toBe('waiting');
    expect(stored.disks.map((disk) => disk.snapshotId?.slice(0, 2))).toEqual(['s-', 's-', 's-']);
    await expect(runs.trigger({ policy: 'manual', trigger: 'manual' })).rejects.toMatchObject({
      code: 'NOT_READY',
    });
  });

  it('resumes an unsent disk with its ClientToken when stopped in a backoff', async () => {
    harness = await EngineHarness.start({
      scenario: { settings: { snapshotDuration: '500ms' } },
      retry: { baseDelayMs: 3000, maxDelayMs: 3000 },
    });
    harness.emulator.control.injectError({
      action: 'CreateSnapshot',
      code: 'InternalError',
      httpStatus: 500,
      count: 1,
      diskId: DATA_1,
    });
    const first = await manager();
    const started = await first.trigger({ policy: 'manual', trigger: 'manual' });
    await waitUntil(async () => createCalls() === 3 || undefined, 5000, 'three creates sent');

    await first.stop(5000);

    const stored = await storedRun(started.id);
    const interrupted = stored.disks.find((disk) => disk.diskId === DATA_1);
    expect(interrupted).toMatchObject({ status: 'creating' });
    expect(interrupted?.snapshotId).toBeUndefined();
    expect(createCalls()).toBe(3);
    const second = await manager();
    const { run } = await second.waitFor(started.id, 'accomplished', 10_000);
    expect(run.status).toBe('succeeded');
    const retried = harness.emulator.control
      .requests({ action: 'CreateSnapshot' })
      .filter((request) => request.params.DiskId === DATA_1);
    expect(retried.map((request) => request.params.ClientToken)).toEqual([
      interrupted?.clientToken,
      interrupted?.clientToken,
    ]);
    expect(harness.emulator.control.snapshots()).toHaveLength(3);
  });
});
