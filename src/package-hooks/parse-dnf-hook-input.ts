import type { PackageAction, PackageChange } from './package-change.js';

const ACTIONS = new Set<PackageAction>(['install', 'upgrade', 'downgrade', 'reinstall', 'remove']);

/**
 * Parses the lines the selfsnap dnf plugin writes: `action<TAB>name<TAB>from<TAB>to`, with `-`
 * for a version that does not apply. Lines of another shape are ignored.
 */
export function parseDnfHookInput(text: string): PackageChange[] {
  const changes: PackageChange[] = [];
  for (const line of text.split('\n')) {
    const [action, name, from, to] = line.trim().split('\t');
    if (!ACTIONS.has(action as PackageAction) || name === undefined || name === '') continue;
    const change: PackageChange = { action: action as PackageAction, name };
    if (from !== undefined && from !== '-' && from !== '') change.from = from;
    if (to !== undefined && to !== '-' && to !== '') change.to = to;
    changes.push(change);
  }
  return changes;
}
