const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a duration given as milliseconds or as a string like `500ms`, `3s`, `10m`, `6h`, `2d`. */
export function parseDuration(value: number | string): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(value.trim());
  if (match === null)
    throw new RangeError(
      `invalid duration "${value}": use milliseconds or a number with ms, s, m, h or d`,
    );
  return Number(match[1]) * (UNIT_MS[match[2] ?? 'ms'] ?? 1);
}
