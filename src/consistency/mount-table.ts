import { readFile } from 'node:fs/promises';
import { parseMountinfo, type MountEntry } from '../disks/parse-mountinfo.js';

export type { MountEntry };
export { findMount } from '../disks/parse-mountinfo.js';

const MOUNTINFO_PATH = '/proc/self/mountinfo';

/** Reads the mounts visible to this process, in the kernel's order (later entries hide earlier). */
export async function readMountTable(path: string = MOUNTINFO_PATH): Promise<MountEntry[]> {
  return parseMountinfo(await readFile(path, 'utf8'));
}

/** Returns the mount that contains a path: the visible mount with the longest matching mountpoint. */
export function findMountContaining(
  entries: readonly MountEntry[],
  path: string,
): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const entry of entries) {
    if (!isWithin(path, entry.mountPoint)) continue;
    // '>=' lets a later mount on the same folder hide the earlier one, as the kernel does.
    if (best === undefined || entry.mountPoint.length >= best.mountPoint.length) best = entry;
  }
  return best;
}

function isWithin(path: string, mountPoint: string): boolean {
  if (mountPoint === '/') return path.startsWith('/');
  return path === mountPoint || path.startsWith(`${mountPoint}/`);
}
