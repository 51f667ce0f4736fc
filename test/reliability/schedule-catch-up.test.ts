import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { findPreviousSlot, lastScheduledRunIn, Scheduler } from '../../src/schedule/index.js';
import { LogCapture } from '../engine/engine-harness.js';
import { printMatrixSummary } from './matrix-summary.js';

interface Slot {
  policy: string;
  reason?: string;
  at: string;
}

/** A scheduler of one policy `p` whose last scheduled run started at `lastRun`. */
function startScheduler(policy: Record<string, unknown>, lastRun: string | undefined) {
  const config = parseConfig(JSON.stringify({ policies: { p: policy } }));
  const fired: Slot[] = [];
  const logs = new LogCapture();
  const scheduler = new Scheduler(
    config.policies,
    'i-bp1selfsnap0emu0001',
    (name, reason) => fired.push({ policy: name, reason, at: new Date().toISOString() }),
    logs.logger,
    () => (lastRun === undefined ? undefined : new Date(lastRun)),
  );
  scheduler.start();
  return { scheduler, fired, logs };
}

describe('Scheduler after downtime', () => {
  printMatrixSummary('time: catch-up after downtime');
  let scheduler: Scheduler | undefined;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    vi.setSystemTime(new Date('2026-06-05T10:00:00Z'));
  });

  afterEach(async () => {
    await scheduler?.stop();
    scheduler = undefined;
    vi.useRealTimers();
  });

  it('starts one catch-up run when several slots passed while down', async () => {
    const started = startScheduler({ schedule: '0 3 * * *' }, '2026-06-01T03:00:04Z');
    scheduler = started.scheduler;
    await scheduler.whenCaughtUp();

    expect(started.fired).toEqual([
      { policy: 'p', reason: 'catch-up', at: '2026-06-05T10:00:00.000Z' },
    ]);
    const [logged] = started.logs.find(/catch-up run/);
    expect(logged).toMatchObject({ missedSlot: '2026-06-05T03:00:00.000Z' });

    await vi.advanceTimersByTimeAsync(17 * 3_600_000 + 1000);
    expect(started.fired.map((slot) => slot.reason)).toEqual(['catch-up', undefined]);
  });

  it('starts no catch-up when the last run followed the latest slot', async () => {
    const started = startScheduler({ schedule: '0 3 * * *' }, '2026-06-05T03:00:02Z');
    scheduler = started.scheduler;
    await scheduler.whenCaughtUp();

    expect(started.fired).toEqual([]);
  });

  it('starts no catch-up when no scheduled run is on record', async () => {
    const started = startScheduler({ schedule: '0 3 * * *' }, undefined);
    scheduler = started.scheduler;
    await scheduler.whenCaughtUp();

    expect(started.fired).toEqual([]);
  });

  it('waits out the policy jitter before the catch-up run', async () => {
    const started = startScheduler(
      { schedule: '0 3 * * *', jitter: '10m' },
      '2026-06-01T03:00:00Z',
    );
    scheduler = started.scheduler;
    await scheduler.whenCaughtUp();
    expect(started.fired).toEqual([]);

    await vi.advanceTimersByTimeAsync(10 * 60_000);

    expect(started.fired).toHaveLength(1);
    expect(started.fired[0]?.reason).toBe('catch-up');
    expect(started.fired[0]?.at).not.toBe('2026-06-05T10:00:00.000Z');
  });
});

describe('findPreviousSlot', () => {
  it.each([
    ['0 3 * * *', 'Asia/Shanghai', '2026-06-04T19:00:00.000Z'],
    ['*/10 * * * * *', 'UTC', '2026-06-05T10:00:00.000Z'],
    ['15 4 * * 1', 'Europe/Berlin', '2026-06-01T02:15:00.000Z'],
    ['0 0 1 1 *', 'UTC', '2026-01-01T00:00:00.000Z'],
    ['0 0 29 2 *', 'UTC', '2024-02-29T00:00:00.000Z'],
  ])('finds the latest slot of %s in %s', async (expression, zone, expected) => {
    const started = performance.now();

    const slot = await findPreviousSlot(
      expression,
      zone,
      new Date('2026-06-05T10:00:00Z'),
      new Date('2020-01-01T00:00:00Z'),
    );

    expect(slot?.toISOString()).toBe(expected);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('finds nothing when no slot follows the given time', async () => {
    const slot = await findPreviousSlot(
      '0 3 * * *',
      'UTC',
      new Date('2026-06-05T10:00:00Z'),
      new Date('2026-06-05T03:00:00Z'),
    );

    expect(slot).toBeUndefined();
  });
});

describe('lastScheduledRunIn', () => {
  it('returns the newest scheduled run of the policy', () => {
    const runs = [
      { policy: 'p', trigger: 'schedule', startedAt: '2026-06-01T03:00:00Z' },
      { policy: 'p', trigger: 'manual', startedAt: '2026-06-04T03:00:00Z' },
      { policy: 'q', trigger: 'schedule', startedAt: '2026-06-03T03:00:00Z' },
      { policy: 'p', trigger: 'schedule', startedAt: '2026-06-02T03:00:00Z' },
    ];

    expect(lastScheduledRunIn(runs, 'p')?.toISOString()).toBe('2026-06-02T03:00:00.000Z');
    expect(lastScheduledRunIn(runs, 'r')).toBeUndefined();
  });
});
