import { describe, expect, it } from 'vitest';
import { parseCreationTime } from '../../src/retention/parse-creation-time.js';

describe('parseCreationTime', () => {
  it.each([
    ['2026-12-04T15:26:37Z', Date.UTC(2026, 11, 4, 15, 26, 37)],
    ['2026-12-04T15:26Z', Date.UTC(2026, 11, 4, 15, 26)],
    ['2026-12-04T15:26:37.250Z', Date.UTC(2026, 11, 4, 15, 26, 37, 250)],
    ['2028-02-29T00:00:00Z', Date.UTC(2028, 1, 29)],
  ])('reads %s', (text, expected) => {
    expect(parseCreationTime(text)).toBe(expected);
  });

  it.each([
    ['', 'empty'],
    ['yesterday', 'not a time'],
    ['2026-12-04 15:26:37', 'no T and no Z'],
    ['2026-12-04T15:26:37+08:00', 'an offset other than Z'],
    ['2026-02-30T00:00:00Z', 'February 30th'],
    ['2027-02-29T00:00:00Z', 'February 29th outside a leap year'],
    ['2026-13-01T00:00:00Z', 'month 13'],
    ['2026-12-04T24:00:00Z', 'hour 24'],
    ['2026-12-04T15:60:00Z', 'minute 60'],
  ])('rejects %s (%s)', (text) => {
    expect(parseCreationTime(text)).toBeUndefined();
  });
});
