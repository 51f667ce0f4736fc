import { describe, expect, it } from 'vitest';
import { createPeriodLabeler } from '../../src/retention/calendar-periods.js';

describe('createPeriodLabeler', () => {
  it.each([
    // Europe/Berlin leaves CET (+01:00) for CEST (+02:00) at 01:00 UTC on 2026-03-29: 23 hours.
    ['Europe/Berlin', '2026-03-29T00:30:00Z', '2026-03-29T01:00+01:00', '2026-03-29'],
    ['Europe/Berlin', '2026-03-29T01:30:00Z', '2026-03-29T03:00+02:00', '2026-03-29'],
    ['Europe/Berlin', '2026-03-29T21:59:59Z', '2026-03-29T23:00+02:00', '2026-03-29'],
    ['Europe/Berlin', '2026-03-29T22:00:00Z', '2026-03-30T00:00+02:00', '2026-03-30'],
    // Back to CET at 01:00 UTC on 2026-10-25: the local hour 02 happens twice, 25 hours.
    ['Europe/Berlin', '2026-10-24T22:00:00Z', '2026-10-25T00:00+02:00', '2026-10-25'],
    ['Europe/Berlin', '2026-10-25T00:30:00Z', '2026-10-25T02:00+02:00', '2026-10-25'],
    ['Europe/Berlin', '2026-10-25T01:30:00Z', '2026-10-25T02:00+01:00', '2026-10-25'],
    ['Europe/Berlin', '2026-10-25T22:59:59Z', '2026-10-25T23:00+01:00', '2026-10-25'],
    // America/New_York: EST (-05:00) to EDT (-04:00) at 07:00 UTC on 2026-03-08.
    ['America/New_York', '2026-03-08T06:30:00Z', '2026-03-08T01:00-05:00', '2026-03-08'],
    ['America/New_York', '2026-03-08T07:30:00Z', '2026-03-08T03:00-04:00', '2026-03-08'],
    ['America/New_York', '2026-03-09T03:59:59Z', '2026-03-08T23:00-04:00', '2026-03-08'],
    ['America/New_York', '2026-03-09T04:00:00Z', '2026-03-09T00:00-04:00', '2026-03-09'],
    // Back to EST at 06:00 UTC on 2026-11-01: the local hour 01 happens twice.
    ['America/New_York', '2026-11-01T05:30:00Z', '2026-11-01T01:00-04:00', '2026-11-01'],
    ['America/New_York', '2026-11-01T06:30:00Z', '2026-11-01T01:00-05:00', '2026-11-01'],
    ['America/New_York', '2026-11-02T04:59:59Z', '2026-11-01T23:00-05:00', '2026-11-01'],
    // Half-hour offset with no daylight saving time.
    ['Asia/Kolkata', '2026-12-04T18:29:59Z', '2026-12-04T23:00+05:30', '2026-12-04'],
    ['Asia/Kolkata', '2026-12-04T18:30:00Z', '2026-12-05T00:00+05:30', '2026-12-05'],
    ['UTC', '2026-12-04T15:26:37Z', '2026-12-04T15:00+00:00', '2026-12-04'],
  ])('labels hour and day in %s at %s', (timeZone, instant, hourly, daily) => {
    const labels = createPeriodLabeler(timeZone)(Date.parse(instant));

    expect(labels.hourly).toBe(hourly);
    expect(labels.daily).toBe(daily);
  });

  it.each([
    // 2026 starts on a Thursday, so it has 53 ISO weeks and 2027-W01 starts on Monday 2027-01-04.
    ['UTC', '2026-01-01T12:00:00Z', '2026-W01'],
    ['UTC', '2026-12-27T12:00:00Z', '2026-W52'],
    ['UTC', '2026-12-28T12:00:00Z', '2026-W53'],
    ['UTC', '2027-01-01T12:00:00Z', '2026-W53'],
    ['UTC', '2027-01-03T23:59:59Z', '2026-W53'],
    ['UTC', '2027-01-04T00:00:00Z', '2027-W01'],
    // Monday 2024-12-30 starts 2025-W01; Sunday 2024-12-29 ends 2024-W52.
    ['UTC', '2024-12-29T12:00:00Z', '2024-W52'],
    ['UTC', '2024-12-30T12:00:00Z', '2025-W01'],
    // 2021-01-03 is a Sunday, still in the last week of 2020 (2020-W53).
    ['UTC', '2021-01-03T12:00:00Z', '2020-W53'],
    // Berlin is already on Monday 2027-01-04 when UTC is still on Sunday.
    ['Europe/Berlin', '2027-01-03T23:30:00Z', '2027-W01'],
    ['America/New_York', '2027-01-04T04:30:00Z', '2026-W53'],
  ])('labels the ISO week in %s at %s', (timeZone, instant, weekly) => {
    expect(createPeriodLabeler(timeZone)(Date.parse(instant)).weekly).toBe(weekly);
  });

  it.each([
    ['Asia/Shanghai', '2026-01-31T15:59:59Z', '2026-01-31', '2026-01', '2026'],
    ['Asia/Shanghai', '2026-01-31T16:00:00Z', '2026-02-01', '2026-02', '2026'],
    ['Asia/Shanghai', '2026-02-28T16:00:00Z', '2026-03-01', '2026-03', '2026'],
    ['Asia/Shanghai', '2028-02-28T16:00:00Z', '2028-02-29', '2028-02', '2028'],
    ['Asia/Shanghai', '2028-02-29T16:00:00Z', '2028-03-01', '2028-03', '2028'],
    ['Asia/Shanghai', '2026-12-31T16:00:00Z', '2027-01-01', '2027-01', '2027'],
    ['America/New_York', '2027-01-01T04:59:59Z', '2026-12-31', '2026-12', '2026'],
  ])('labels day, month and year in %s at %s', (timeZone, instant, daily, monthly, yearly) => {
    const labels = createPeriodLabeler(timeZone)(Date.parse(instant));

    expect(labels.daily).toBe(daily);
    expect(labels.monthly).toBe(monthly);
    expect(labels.yearly).toBe(yearly);
  });

  it('throws RangeError when the timezone is unknown', () => {
    expect(() => createPeriodLabeler('Mars/Olympus_Mons')).toThrow(RangeError);
  });
});
