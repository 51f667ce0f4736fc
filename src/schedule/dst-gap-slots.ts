import cron from 'node-cron';

const HOUR_MS = 3_600_000;
const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** Returns the UTC offset of `timezone` at `ms`, in milliseconds (east of UTC positive). */
export function utcOffsetMs(timezone: string, ms: number): number {
  let format = offsetFormats.get(timezone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, timeZoneName: 'longOffset' });
    offsetFormats.set(timezone, format);
  }
  const name = format.formatToParts(ms).find((part) => part.type === 'timeZoneName')?.value;
  const match = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(name ?? '');
  if (match === null) throw new RangeError(`unexpected offset "${name}" for ${timezone}`);
  if (match[1] === undefined) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return (match[1] === '-' ? -1 : 1) * minutes * 60_000;
}

/** Finds the first instant in (after, until] at which the offset grows, to the second. */
function findForwardShift(timezone: string, after: number, until: number): number | undefined {
  for (let start = after; start < until; start += HOUR_MS) {
    const end = Math.min(start + HOUR_MS, until);
    if (utcOffsetMs(timezone, end) <= utcOffsetMs(timezone, start)) continue;
    let low = start;
    let high = end;
    while (high - low > 1000) {
      const middle = Math.floor((low + high) / 2000) * 1000;
      if (utcOffsetMs(timezone, middle) > utcOffsetMs(timezone, low)) high = middle;
      else low = middle;
    }
    return high;
  }
  return undefined;
}

/**
 * Returns the first instant in (after, until] at which a daylight saving change skips a slot of
 * `expression`. Such a change moves the clock forward over a local time the expression names,
 * such as 02:30 on the night clocks go from 02:00 to 03:00, and node-cron never fires that slot.
 * The instant returned is the end of the jump (03:00 local), so the slot runs once right away.
 */
export function findSkippedSlot(
  expression: string,
  timezone: string,
  after: Date,
  until: Date,
): Date | undefined {
  // Matching with UTC reads a wall-clock time as it is written, which is how the skipped local
  // times are tested: they exist on no instant of the policy's timezone.
  const wallClock = cron.createTask(expression, () => undefined, { timezone: 'UTC' });
  try {
    // Whole seconds keep the search on the instants a cron slot can have.
    let from = Math.ceil(after.getTime() / 1000) * 1000;
    for (;;) {
      const shift = findForwardShift(timezone, from, until.getTime());
      if (shift === undefined) return undefined;
      // The skipped local times, written as UTC instants: usually one hour, 3600 candidates.
      const skippedFrom = shift + utcOffsetMs(timezone, shift - 1000);
      const skippedUntil = shift + utcOffsetMs(timezone, shift);
      for (let local = skippedFrom; local < skippedUntil; local += 1000) {
        if (wallClock.match(new Date(local))) return new Date(shift);
      }
      from = shift;
    }
  } finally {
    void wallClock.destroy();
  }
}
