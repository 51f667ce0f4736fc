const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const DURATION_PATTERN = /^(\d+)(ms|s|m|h|d|w)$/;
const PART_PATTERN = /(\d+)(ms|s|m|h|d|w)/g;

/**
 * Parses a duration such as `30s`, `10m`, `1h30m` or `400d` into milliseconds.
 * Returns undefined for anything else, so the caller can name the offending key.
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.replace(PART_PATTERN, '') !== '') return undefined;

  let total = 0;
  for (const part of trimmed.match(PART_PATTERN) ?? []) {
    const match = DURATION_PATTERN.exec(part);
    if (match === null) return undefined;
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

/** Formats milliseconds as the largest whole units, for messages (`90000` -> `1m30s`). */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}
