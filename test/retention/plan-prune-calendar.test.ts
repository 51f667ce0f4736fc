import { describe, expect, it } from 'vitest';
import type { RetentionRules } from '../../src/retention/index.js';
import { deletedIds, keptIds, planFor, reasonsOf, snapshotAt } from './snapshot-fixtures.js';

interface CalendarCase {
  name: string;
  timezone: string;
  now: string;
  rules: RetentionRules;
  /** CreationTimes in UTC, newest first. */
  times: string[];
  kept: string[];
  /** Reasons of the kept snapshots, in the order of `kept`. */
  reasons: string[][];
}

const CASES: CalendarCase[] = [
  {
    name: 'counts local days across the 23-hour day in Europe/Berlin',
    timezone: 'Europe/Berlin',
    now: '2026-03-30T10:00:00Z',
    rules: { daily: 3 },
    // Local times: 03-30 00:30 CEST, 03-29 23:30 CEST, 03-29 00:30 CET, 03-28 23:30 CET.
    times: [
      '2026-03-29T22:30:00Z',
      '2026-03-29T21:30:00Z',
      '2026-03-28T23:30:00Z',
      '2026-03-28T22:30:00Z',
    ],
    kept: ['2026-03-29T22:30:00Z', '2026-03-29T21:30:00Z', '2026-03-28T22:30:00Z'],
    reasons: [['daily 2026-03-30'], ['daily 2026-03-29'], ['daily 2026-03-28']],
  },
  {
    name: 'counts one local day across the 25-hour day in Europe/Berlin',
    timezone: 'Europe/Berlin',
    now: '2026-10-26T10:00:00Z',
    rules: { daily: 2 },
    // Local times: 10-25 23:59 CET and 10-25 00:00:30 CEST are 24h59m apart on the same day.
    times: ['2026-10-25T22:59:00Z', '2026-10-24T22:00:30Z', '2026-10-24T21:59:00Z'],
    kept: ['2026-10-25T22:59:00Z', '2026-10-24T21:59:00Z'],
    reasons: [['daily 2026-10-25'], ['daily 2026-10-24']],
  },
  {
    name: 'keeps both repeated 02:00 hours in Europe/Berlin',
    timezone: 'Europe/Berlin',
    now: '2026-10-25T02:00:00Z',
    rules: { hourly: 2 },
    // Local times: 02:45 CET, 02:15 CET, 02:45 CEST, 02:15 CEST.
    times: [
      '2026-10-25T01:45:00Z',
      '2026-10-25T01:15:00Z',
      '2026-10-25T00:45:00Z',
      '2026-10-25T00:15:00Z',
    ],
    kept: ['2026-10-25T01:45:00Z', '2026-10-25T00:45:00Z'],
    reasons: [['hourly 2026-10-25T02:00+01:00'], ['hourly 2026-10-25T02:00+02:00']],
  },
  {
    name: 'skips the missing 02:00 hour in Europe/Berlin',
    timezone: 'Europe/Berlin',
    now: '2026-03-29T02:00:00Z',
    rules: { hourly: 2 },
    // Local times: 03:30 CEST and 01:30 CET are one hour apart in two consecutive local hours.
    times: ['2026-03-29T01:30:00Z', '2026-03-29T00:30:00Z', '2026-03-29T00:10:00Z'],
    kept: ['2026-03-29T01:30:00Z', '2026-03-29T00:30:00Z'],
    reasons: [['hourly 2026-03-29T03:00+02:00'], ['hourly 2026-03-29T01:00+01:00']],
  },
  {
    name: 'counts local days across the 23-hour day in America/New_York',
    timezone: 'America/New_York',
    now: '2026-03-09T12:00:00Z',
    rules: { daily: 2 },
    // Local times: 03-09 00:30 EDT, 03-08 23:30 EDT, 03-08 00:30 EST.
    times: ['2026-03-09T04:30:00Z', '2026-03-09T03:30:00Z', '2026-03-08T05:30:00Z'],
    kept: ['2026-03-09T04:30:00Z', '2026-03-09T03:30:00Z'],
    reasons: [['daily 2026-03-09'], ['daily 2026-03-08']],
  },
  {
    name: 'keeps both repeated 01:00 hours in America/New_York',
    timezone: 'America/New_York',
    now: '2026-11-01T12:00:00Z',
    rules: { hourly: 3, daily: 1 },
    // Local times: 01:30 EST, 01:30 EDT, 00:30 EDT, all on 11-01.
    times: ['2026-11-01T06:30:00Z', '2026-11-01T05:30:00Z', '2026-11-01T04:30:00Z'],
    kept: ['2026-11-01T06:30:00Z', '2026-11-01T05:30:00Z', '2026-11-01T04:30:00Z'],
    reasons: [
      ['hourly 2026-11-01T01:00-05:00', 'daily 2026-11-01'],
      ['hourly 2026-11-01T01:00-04:00'],
      ['hourly 2026-11-01T00:00-04:00'],
    ],
  },
  {
    name: 'separates January 31st from February and February 28th from March',
    timezone: 'Asia/Shanghai',
    now: '2026-03-02T00:00:00Z',
    rules: { monthly: 3 },
    // Local times: 03-01 00:30, 02-28 23:30, 02-01 00:30, 01-31 23:30.
    times: [
      '2026-02-28T16:30:00Z',
      '2026-02-28T15:30:00Z',
      '2026-01-31T16:30:00Z',
      '2026-01-31T15:30:00Z',
    ],
    kept: ['2026-02-28T16:30:00Z', '2026-02-28T15:30:00Z', '2026-01-31T15:30:00Z'],
    reasons: [['monthly 2026-03'], ['monthly 2026-02'], ['monthly 2026-01']],
  },
  {
    name: 'counts February 29th as its own day in a leap year',
    timezone: 'Asia/Shanghai',
    now: '2028-03-01T12:00:00Z',
    rules: { daily: 3 },
    // Local times: 03-01 00:30, 02-29 23:00, 02-29 00:30, 02-28 23:00.
    times: [
      '2028-02-29T16:30:00Z',
      '2028-02-29T15:00:00Z',
      '2028-02-28T16:30:00Z',
      '2028-02-28T15:00:00Z',
    ],
    kept: ['2028-02-29T16:30:00Z', '2028-02-29T15:00:00Z', '2028-02-28T15:00:00Z'],
    reasons: [['daily 2028-03-01'], ['daily 2028-02-29'], ['daily 2028-02-28']],
  },
  {
    name: 'counts ISO weeks across the end of 2026',
    timezone: 'UTC',
    now: '2027-01-05T18:00:00Z',
    rules: { weekly: 3 },
    // Monday 2026-12-28 to Sunday 2027-01-03 is 2026-W53.
    times: [
      '2027-01-05T12:00:00Z',
      '2027-01-04T12:00:00Z',
      '2027-01-03T12:00:00Z',
      '2027-01-01T12:00:00Z',
      '2026-12-31T12:00:00Z',
      '2026-12-28T12:00:00Z',
      '2026-12-27T12:00:00Z',
      '2026-12-26T12:00:00Z',
    ],
    kept: ['2027-01-05T12:00:00Z', '2027-01-03T12:00:00Z', '2026-12-27T12:00:00Z'],
    reasons: [['weekly 2027-W01'], ['weekly 2026-W53'], ['weekly 2026-W52']],
  },
  {
    name: 'puts the last days of 2024 in 2025-W01',
    timezone: 'UTC',
    now: '2025-01-02T00:00:00Z',
    rules: { weekly: 2, yearly: 2 },
    times: ['2025-01-01T12:00:00Z', '2024-12-30T12:00:00Z', '2024-12-29T12:00:00Z'],
    kept: ['2025-01-01T12:00:00Z', '2024-12-30T12:00:00Z', '2024-12-29T12:00:00Z'],
    reasons: [['weekly 2025-W01', 'yearly 2025'], ['yearly 2024'], ['weekly 2024-W52']],
  },
  {
    name: 'counts the week in local time when UTC is a day behind',
    timezone: 'Europe/Berlin',
    now: '2027-01-04T12:00:00Z',
    rules: { weekly: 2 },
    // Local times: Monday 2027-01-04 00:30 CET, Sunday 2027-01-03 23:30 CET, Sunday 12:00 CET.
    times: ['2027-01-03T23:30:00Z', '2027-01-03T22:30:00Z', '2027-01-03T11:00:00Z'],
    kept: ['2027-01-03T23:30:00Z', '2027-01-03T22:30:00Z'],
    reasons: [['weekly 2027-W01'], ['weekly 2026-W53']],
  },
];

describe('planPrune calendar periods', () => {
  it.each(CASES)('$name', ({ timezone, now, rules, times, kept, reasons }) => {
    const snapshots = times.map((time) => snapshotAt(time));
    const plan = planFor(snapshots, { timezone, now: new Date(now), rules });
    const keptSnapshotIds = kept.map((time) => snapshotAt(time).snapshotId);

    expect(keptIds(plan)).toEqual(keptSnapshotIds);
    expect(deletedIds(plan)).toHaveLength(times.length - kept.length);
    expect(keptSnapshotIds.map((id) => reasonsOf(plan, id))).toEqual(reasons);
  });
});
