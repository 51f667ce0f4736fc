import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { Scheduler } from '../../src/schedule/index.js';
import { LogCapture } from '../engine/engine-harness.js';
import { printMatrixSummary } from './matrix-summary.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A scheduler of one policy `p` whose slots are recorded as the (fake) wall-clock times they fire. */
function startScheduler(schedule: string, timezone = 'UTC') {
  const config = parseConfig(JSON.stringify({ policies: { p: { schedule, timezone } } }));
  const fired: string[] = [];
  const logs = new LogCapture();
  const scheduler = new Scheduler(
    config.policies,
    'i-bp1selfsnap0emu0001',
    () => fired.push(new Date().toISOString()),
    logs.logger,
  );
  scheduler.start();
  return { scheduler, fired, logs };
}

describe('Scheduler when the wall clock jumps', () => {
  printMatrixSummary('time: wall-clock jumps');
  let scheduler: Scheduler | undefined;

  beforeEach(() => {
    // Timers follow the fake monotonic time while setSystemTime moves only the wall clock, as a
    // clock step on a real machine does. setImmediate stays real for the slot searches.
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
  });

  afterEach(async () => {
    await scheduler?.stop();
    scheduler = undefined;
    vi.useRealTimers();
  });

  it('fires a passed slot once when the clock jumps forward over it', async () => {
    vi.setSystemTime(new Date('2026-06-01T02:00:00Z'));
    const started = startScheduler('0 3 * * *');
    scheduler = started.scheduler;
    await vi.advanceTimersByTimeAsync(30 * 60_000);

    vi.setSystemTime(new Date('2026-06-01T05:30:00Z'));
    await vi.advanceTimersByTimeAsync(2 * HOUR);

    expect(started.fired).toEqual(['2026-06-01T06:00:00.000Z']);
    expect(started.logs.find('scheduled slot missed')).toEqual([]);
  });

  it('fires the latest slot only when the clock jumps forward over several', async () => {
    vi.setSystemTime(new Date('2026-06-01T02:10:00Z'));
    const started = startScheduler('0 * * * *');
    scheduler = started.scheduler;

    vi.setSystemTime(new Date('2026-06-01T07:20:00Z'));
    await vi.advanceTimersByTimeAsync(50 * 60_000);

    // The timer set for 03:00 comes at 08:10 by the new wall clock: 08:00 fires late, once, and
    // 03:00 to 07:00, whose next slots have passed too, are reported missed.
    expect(started.fired).toEqual(['2026-06-01T08:10:00.000Z']);
    const missed = started.logs.find('scheduled slot missed').map((record) => record.slot);
    expect(missed).toEqual(['03', '04', '05', '06', '07'].map((h) => `2026-06-01T${h}:00:00.000Z`));
  });

  it('fires no slot twice when the clock jumps back after it', async () => {
    vi.setSystemTime(new Date('2026-06-01T02:59:00Z'));
    const started = startScheduler('0 3 * * *');
    scheduler = started.scheduler;
    await vi.advanceTimersByTimeAsync(2 * 60_000);

    vi.setSystemTime(new Date('2026-06-01T01:01:00Z'));
    await vi.advanceTimersByTimeAsync(DAY + 2 * HOUR);

    expect(started.fired).toEqual(['2026-06-01T03:00:00.000Z', '2026-06-02T03:00:00.000Z']);
  });

  it('waits for the wall time of a slot when the clock jumps back before it', async () => {
    vi.setSystemTime(new Date('2026-06-01T02:00:00Z'));
    const started = startScheduler('0 3 * * *');
    scheduler = started.scheduler;
    await vi.advanceTimersByTimeAsync(30 * 60_000);

    vi.setSystemTime(new Date('2026-06-01T00:30:00Z'));
    await vi.advanceTimersByTimeAsync(2 * HOUR + 29 * 60_000);
    expect(started.fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(2 * 60_000);

    expect(started.fired).toEqual(['2026-06-01T03:00:00.000Z']);
  });
});

interface DstCase {
  zone: string;
  schedule: string;
  from: string;
  days: number;
  expected: string[];
}

const DST_CASES: DstCase[] = [
  {
    // 8 March 2026: 02:00 EST becomes 03:00 EDT, so 02:30 does not exist that night.
    zone: 'America/New_York',
    schedule: '30 2 * * *',
    from: '2026-03-06T12:00:00Z',
    days: 4,
    expected: [
      '2026-03-07T07:30:00Z',
      '2026-03-08T07:00:00Z',
      '2026-03-09T06:30:00Z',
      '2026-03-10T06:30:00Z',
    ],
  },
  {
    // 1 November 2026: 02:00 EDT becomes 01:00 EST, so 01:30 happens twice and runs once.
    zone: 'America/New_York',
    schedule: '30 1 * * *',
    from: '2026-10-31T12:00:00Z',
    days: 3,
    expected: ['2026-11-01T05:30:00Z', '2026-11-02T06:30:00Z', '2026-11-03T06:30:00Z'],
  },
  {
    // Each local hour runs once, so the repeated 01:00 hour leaves two hours between runs.
    zone: 'America/New_York',
    schedule: '0 * * * *',
    from: '2026-11-01T03:30:00Z',
    days: 5 / 24,
    expected: [
      '2026-11-01T04:00:00Z',
      '2026-11-01T05:00:00Z',
      '2026-11-01T07:00:00Z',
      '2026-11-01T08:00:00Z',
    ],
  },
  {
    // 29 March 2026: 02:00 CET becomes 03:00 CEST.
    zone: 'Europe/Berlin',
    schedule: '30 2 * * *',
    from: '2026-03-28T00:00:00Z',
    days: 3,
    expected: ['2026-03-28T01:30:00Z', '2026-03-29T01:00:00Z', '2026-03-30T00:30:00Z'],
  },
  {
    // 25 October 2026: 03:00 CEST becomes 02:00 CET; node-cron runs the second 02:30.
    zone: 'Europe/Berlin',
    schedule: '30 2 * * *',
    from: '2026-10-24T12:00:00Z',
    days: 3,
    expected: ['2026-10-25T01:30:00Z', '2026-10-26T01:30:00Z', '2026-10-27T01:30:00Z'],
  },
  {
    // 8 March 2026 in St. John's: 02:00 NST (UTC-3:30) becomes 03:00 NDT, a half-hour zone.
    zone: 'America/St_Johns',
    schedule: '15 2 * * 0',
    from: '2026-03-05T12:00:00Z',
    days: 8,
    expected: ['2026-03-08T05:30:00Z'],
  },
  {
    zone: 'Asia/Shanghai',
    schedule: '0 3 * * *',
    from: '2026-03-07T12:00:00Z',
    days: 2,
    expected: ['2026-03-07T19:00:00Z', '2026-03-08T19:00:00Z'],
  },
];

describe('Scheduler over daylight saving changes', () => {
  printMatrixSummary('time: daylight saving changes');
  let scheduler: Scheduler | undefined;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
  });

  afterEach(async () => {
    await scheduler?.stop();
    scheduler = undefined;
    vi.useRealTimers();
  });

  it.each(DST_CASES)(
    'fires $schedule in $zone once per local slot from $from',
    async ({ zone, schedule, from, days, expected }) => {
      vi.setSystemTime(new Date(from));
      const started = startScheduler(schedule, zone);
      scheduler = started.scheduler;

      expect(scheduler.nextRun('p')?.toISOString()).toBe(expected[0]?.replace('Z', '.000Z'));
      await vi.advanceTimersByTimeAsync(days * DAY);

      expect(started.fired).toEqual(expected.map((time) => time.replace('Z', '.000Z')));
    },
  );
});

/** Keeps the event loop busy, as a long synchronous task or a stop-the-world pause does. */
function blockEventLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // Busy on purpose: no timer can fire until this returns.
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('Scheduler when the event loop stalls', () => {
  printMatrixSummary('time: event loop stalls');
  let scheduler: Scheduler | undefined;

  afterEach(async () => {
    await scheduler?.stop();
    scheduler = undefined;
  });

  it('fires a slot once when a stall covers it', async () => {
    const started = startScheduler('*/4 * * * * *');
    scheduler = started.scheduler;
    // Start the stall 800 ms before a slot, right after the previous one fired. 2.4 s is over
    // node-cron's default tolerance of 1 s and within the 4 s to the next slot.
    const firstFired = started.fired.length;
    while (started.fired.length === firstFired) await sleep(20);
    const nextSlotMs = Math.ceil((Date.now() + 1) / 4000) * 4000;
    await sleep(nextSlotMs - Date.now() - 800);
    const before = started.fired.length;

    blockEventLoop(2400);
    await sleep(500);

    expect(started.fired.length - before).toBe(1);
    expect(started.logs.find('scheduled slot missed')).toEqual([]);
  });
});
