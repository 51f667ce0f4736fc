/** Formats rows as left-aligned columns separated by two spaces, for terminal output. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const format = (row: string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [format(header), ...rows.map(format)].join('\n');
}

/** Shortens an ISO time to `2026-12-04 15:30:00Z` for tables. */
export function shortTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined || iso === '') return '-';
  return iso.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

/** Formats the time since `iso` as `45s`, `12m`, `5h` or `3d`. */
export function formatAge(iso: string | null | undefined, now = Date.now()): string {
  const at = Date.parse(iso ?? '');
  if (!Number.isFinite(at)) return '-';
  return formatSeconds(Math.max(0, Math.round((now - at) / 1000)));
}

/** Formats a number of seconds as `45s`, `12m`, `5h` or `3d`. */
export function formatSeconds(seconds: number): string {
  const sign = seconds < 0 ? '-' : '';
  const value = Math.abs(seconds);
  if (value < 120) return `${sign}${value}s`;
  if (value < 7200) return `${sign}${Math.floor(value / 60)}m`;
  if (value < 172_800) return `${sign}${Math.floor(value / 3600)}h`;
  return `${sign}${Math.floor(value / 86_400)}d`;
}

/** Cuts text to `max` characters, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
