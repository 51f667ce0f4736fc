/** The calendar periods one instant falls in, as labels in the policy's timezone. */
export interface PeriodLabels {
  /** Local hour with its UTC offset, e.g. `2026-10-25T02:00+01:00`, so a repeated hour is two. */
  hourly: string;
  /** Local date, e.g. `2026-12-04`. */
  daily: string;
  /** ISO 8601 week (weeks start on Monday, week 1 contains the first Thursday), e.g. `2026-W49`. */
  weekly: string;
  /** Local month, e.g. `2026-12`. */
  monthly: string;
  /** Local year, e.g. `2026`. */
  yearly: string;
}

/** Names of the tiered retention rules, from the shortest period to the longest. */
export type PeriodKind = keyof PeriodLabels;

/** The tiered rules in the order the planner reports them. */
export const PERIOD_KINDS: readonly PeriodKind[] = [
  'hourly',
  'daily',
  'weekly',
  'monthly',
  'yearly',
];

const DAY_MS = 86_400_000;

interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  offsetMinutes: number;
}

/**
 * Creates a function that labels an instant with the calendar periods it falls in, in an IANA
 * timezone; throws RangeError for an unknown timezone.
 */
export function createPeriodLabeler(timeZone: string): (epochMs: number) => PeriodLabels {
  // One formatter per plan: constructing one costs far more than formatting with it.
  const formatter = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });

  return (epochMs) => labelPeriods(toLocalTime(formatter, epochMs));
}

function toLocalTime(formatter: Intl.DateTimeFormat, epochMs: number): LocalTime {
  const fields: Record<string, number> = {};
  for (const part of formatter.formatToParts(epochMs)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const { year = NaN, month = NaN, day = NaN, hour = NaN, minute = NaN, second = NaN } = fields;

  // The offset is the local wall-clock time read as UTC minus the instant, both in whole seconds.
  const wallClockMs = Date.UTC(year, month - 1, day, hour, minute, second);
  const offsetMinutes = Math.round((wallClockMs - Math.floor(epochMs / 1000) * 1000) / 60_000);
  return { year, month, day, hour, offsetMinutes };
}

function labelPeriods(local: LocalTime): PeriodLabels {
  const monthly = `${pad(local.year, 4)}-${pad(local.month, 2)}`;
  const daily = `${monthly}-${pad(local.day, 2)}`;
  return {
    hourly: `${daily}T${pad(local.hour, 2)}:00${formatOffset(local.offsetMinutes)}`,
    daily,
    weekly: formatIsoWeek(local.year, local.month, local.day),
    monthly,
    yearly: pad(local.year, 4),
  };
}

/** Formats the ISO week of a calendar date: the week belongs to the year of its Thursday. */
function formatIsoWeek(year: number, month: number, day: number): string {
  const dateMs = Date.UTC(year, month - 1, day);
  const mondayBased = (new Date(dateMs).getUTCDay() + 6) % 7;
  const thursdayMs = dateMs + (3 - mondayBased) * DAY_MS;
  const weekYear = new Date(thursdayMs).getUTCFullYear();
  const week = Math.floor((thursdayMs - Date.UTC(weekYear, 0, 1)) / DAY_MS / 7) + 1;
  return `${pad(weekYear, 4)}-W${pad(week, 2)}`;
}

function formatOffset(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const absolute = Math.abs(offsetMinutes);
  return `${sign}${pad(Math.floor(absolute / 60), 2)}:${pad(absolute % 60, 2)}`;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}
