// ECS returns CreationTime as `yyyy-MM-ddTHH:mm:ssZ`; seconds and fractions are optional here so
// that a shorter or finer form still reads, but any other shape is rejected.
const CREATION_TIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?Z$/;

/**
 * Parses a snapshot's CreationTime into epoch milliseconds, or returns undefined when it is not a
 * real UTC time (Date.parse alone would accept `2026-02-30` as March 2nd).
 */
export function parseCreationTime(text: string): number | undefined {
  const match = CREATION_TIME_PATTERN.exec(text);
  if (match === null) return undefined;

  const fields = match.slice(1, 7).map((part) => Number(part ?? 0));
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = fields;
  const fraction = Number(match[7] ?? 0);

  const epochMs = Date.UTC(year, month - 1, day, hour, minute, second);
  const date = new Date(epochMs);
  const exact =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  return exact ? epochMs + Math.floor(fraction * 1000) : undefined;
}
