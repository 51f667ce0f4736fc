/** One line of `/proc/self/mountinfo`, trimmed to what disk resolution needs. */
export interface MountEntry {
  /** `major:minor` of the device the filesystem lives on (`0:NN` for virtual filesystems). */
  majorMinor: string;
  mountPoint: string;
  fsType: string;
  /** The mount source, e.g. `/dev/vdb1` or `/dev/mapper/data-lv`. */
  source: string;
}

/**
 * Parses mountinfo text (proc(5)): `id parent major:minor root mountpoint options [optional...] -
 * fstype source superoptions`. Octal escapes such as `\040` in paths are decoded.
 */
export function parseMountinfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(' ');
    const separator = fields.indexOf('-');
    if (fields.length < 7 || separator < 6) continue;
    entries.push({
      majorMinor: fields[2] as string,
      mountPoint: decodeOctalEscapes(fields[4] as string),
      fsType: fields[separator + 1] ?? '',
      source: decodeOctalEscapes(fields[separator + 2] ?? ''),
    });
  }
  return entries;
}

/** Returns the entry mounted last on `mountPoint`, the one a path lookup reaches. */
export function findMount(
  entries: readonly MountEntry[],
  mountPoint: string,
): MountEntry | undefined {
  const target = normalizeMountPoint(mountPoint);
  let found: MountEntry | undefined;
  for (const entry of entries) if (entry.mountPoint === target) found = entry;
  return found;
}

/** Removes trailing slashes except the root's, so `/data/` and `/data` name the same mount. */
export function normalizeMountPoint(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

function decodeOctalEscapes(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) =>
    String.fromCharCode(parseInt(octal, 8)),
  );
}
