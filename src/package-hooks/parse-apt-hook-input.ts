import type { PackageAction, PackageChange } from './package-change.js';

// apt's Pre-Install-Pkgs protocol (apt.conf(5), "HOW APT CALLS DPKG"): with Version 2 or 3 apt
// sends `VERSION n`, its configuration as key=value lines, a blank line, then one line per
// action. Version 2 lines: name old-version direction new-version action. Version 3 adds the
// architecture and the Multi-Arch type after each version. A version is `-` when absent and the
// action is a .deb path (unpack), `**CONFIGURE**` or `**REMOVE**`.
const FIELDS_BY_VERSION: Record<string, number> = { '2': 5, '3': 9 };

/** Parses what apt writes to a Pre-Install-Pkgs hook into one change per package. */
export function parseAptHookInput(text: string): PackageChange[] {
  const lines = text.split('\n');
  const version = /^VERSION (\d+)$/.exec(lines[0]?.trim() ?? '')?.[1];
  if (version === undefined) return parseDebPaths(lines);

  const fieldCount = FIELDS_BY_VERSION[version] ?? 9;
  const blank = lines.findIndex((line, index) => index > 0 && line.trim() === '');
  const changes = new Map<string, PackageChange>();
  for (const line of lines.slice(blank + 1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length !== fieldCount) continue;
    const change = fieldCount === 5 ? fromVersion2(fields) : fromVersion3(fields);
    const key = `${change.name} ${change.from ?? ''} ${change.to ?? ''}`;
    // The unpack line of a package comes before its **CONFIGURE** line and names the action.
    if (!changes.has(key)) changes.set(key, change);
  }
  return [...changes.values()];
}

function fromVersion2(fields: string[]): PackageChange {
  const [name, from, direction, to, action] = fields as [string, string, string, string, string];
  return toChange(name, from, direction, to, action);
}

function fromVersion3(fields: string[]): PackageChange {
  const [name, from, , multiArch, direction, to, toArch, , action] = fields as string[];
  // Co-installable (Multi-Arch: same) packages may appear once per architecture.
  const qualified = multiArch === 'same' && toArch !== '-' ? `${name}:${toArch}` : (name as string);
  return toChange(qualified, from as string, direction as string, to as string, action as string);
}

function toChange(
  name: string,
  from: string,
  direction: string,
  to: string,
  action: string,
): PackageChange {
  const change: PackageChange = { action: actionOf(from, direction, action), name };
  if (from !== '-') change.from = from;
  if (to !== '-' && action !== '**REMOVE**') change.to = to;
  return change;
}

function actionOf(from: string, direction: string, action: string): PackageAction {
  if (action === '**REMOVE**') return 'remove';
  if (action === '**CONFIGURE**' && from !== '-' && direction === '=') return 'configure';
  if (from === '-') return 'install';
  if (direction === '<') return 'upgrade';
  if (direction === '>') return 'downgrade';
  return 'reinstall';
}

// Version 1 of the protocol sends only the paths of the .deb files to unpack.
function parseDebPaths(lines: string[]): PackageChange[] {
  return lines
    .map((line) => line.trim())
    .filter((line) => line.endsWith('.deb'))
    .map((path) => {
      const [name, version] = (path.split('/').pop() as string).split('_');
      const change: PackageChange = { action: 'install', name: name as string };
      if (version !== undefined) change.to = decodeURIComponent(version);
      return change;
    });
}
