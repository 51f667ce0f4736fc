/** The action a package transaction takes on one package. */
export type PackageAction =
  'install' | 'upgrade' | 'downgrade' | 'reinstall' | 'remove' | 'configure';

/** One package that a transaction changes; versions are absent where the action has none. */
export interface PackageChange {
  action: PackageAction;
  name: string;
  from?: string;
  to?: string;
}

/** Formats one change as `upgrade nginx 1.22 -> 1.24`, `install curl 8.0` or `remove vim 9.0`. */
export function formatChange(change: PackageChange): string {
  const { action, name, from, to } = change;
  if (from !== undefined && to !== undefined && from !== to) {
    return `${action} ${name} ${from} -> ${to}`;
  }
  const version = to ?? from;
  return version === undefined ? `${action} ${name}` : `${action} ${name} ${version}`;
}

/**
 * Joins changes into a summary of at most `maxLength` characters, cutting between packages and
 * ending with `(+N more)` when some do not fit.
 */
export function summarizeChanges(changes: readonly PackageChange[], maxLength: number): string {
  const parts = changes.map(formatChange);
  for (let shown = parts.length; shown > 0; shown -= 1) {
    const rest = parts.length - shown;
    const text = parts.slice(0, shown).join(', ') + (rest > 0 ? ` (+${rest} more)` : '');
    if (text.length <= maxLength) return text;
  }
  const fallback = `${parts.length} packages`;
  return fallback.length <= maxLength ? fallback : fallback.slice(0, maxLength);
}
