import { realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { SelfsnapError } from '../errors/index.js';
import { findMount, findMountContaining, readMountTable, type MountEntry } from './mount-table.js';

/** A path whose filesystem must stay writable, such as the state folder, and what it is. */
export interface ProtectedPath {
  path: string;
  role: string;
}

/** What decides whether a mountpoint may be frozen. */
export interface FreezeGuard {
  /** selfsnap's own paths (state folder, socket folder, log); their filesystems are never frozen. */
  protectedPaths: ProtectedPath[];
  /** Tells whether the filesystem mounted here lives on one of the disks the run snapshots. */
  isOnSelectedDisks(mount: MountEntry): boolean | Promise<boolean>;
}

/**
 * Checks the mountpoints a policy lists and returns their mounts in freeze order, or throws
 * FREEZE_REFUSED naming each rejected path. The deepest mountpoint comes first, because a nested
 * filesystem can depend on its parent for writes, as a loop image stored on the parent does.
 * Freezing such a parent first makes the child's freeze hang on its flush, and thawing the child
 * first makes its thaw hang on its superblock write, so thaw in the reverse order.
 */
export async function resolveFreezeTargets(
  mountpoints: string[],
  guard: FreezeGuard,
): Promise<MountEntry[]> {
  const table = await readMountTable();
  const protectedMounts = await mountsOfProtectedPaths(table, guard.protectedPaths);
  const targets = new Map<string, MountEntry>();
  const problems: string[] = [];

  for (const requested of mountpoints) {
    try {
      const mount = await checkTarget(requested, table, protectedMounts, guard);
      // Bind mounts of one filesystem share a device; a second freeze of it would fail (EBUSY).
      if (!targets.has(mount.majorMinor)) targets.set(mount.majorMinor, mount);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      problems.push(`${requested}: ${error.message}`);
    }
  }
  if (problems.length > 0) {
    const message = `cannot freeze ${problems.join('; ')}`;
    throw new SelfsnapError('FREEZE_REFUSED', message);
  }
  return [...targets.values()].sort(byDepthDescending);
}

class Refusal extends Error {}

async function checkTarget(
  requested: string,
  table: MountEntry[],
  protectedMounts: Map<string, ProtectedPath & { mount: MountEntry }>,
  guard: FreezeGuard,
): Promise<MountEntry> {
  if (!isAbsolute(requested)) throw new Refusal('not an absolute path');
  const real = await realpath(requested).catch(() => {
    throw new Refusal('does not exist');
  });
  if (real === '/') throw new Refusal('the root filesystem is never frozen');

  const mount = findMount(table, real);
  if (mount === undefined) {
    const where = real === requested ? '' : ` (resolved to ${real})`;
    throw new Refusal(`not a mountpoint${where}; list the folder where the filesystem is mounted`);
  }
  const owner = protectedMounts.get(mount.majorMinor);
  if (owner !== undefined) {
    const where = owner.mount.mountPoint;
    throw new Refusal(
      `its filesystem (mounted at ${where}) contains the ${owner.role} ${owner.path}`,
    );
  }
  if (!(await guard.isOnSelectedDisks(mount))) {
    const fix = 'remove it from freeze or add its disk to disks';
    throw new Refusal(`its device ${mount.source} is not on a disk this policy snapshots; ${fix}`);
  }
  return mount;
}

async function mountsOfProtectedPaths(
  table: MountEntry[],
  paths: ProtectedPath[],
): Promise<Map<string, ProtectedPath & { mount: MountEntry }>> {
  // The root filesystem is protected like selfsnap's own paths: the daemon, node and the
  // watchdog run from it and a frozen root would block them.
  const all = [{ path: '/', role: 'root folder' }, ...paths];
  const byDevice = new Map<string, ProtectedPath & { mount: MountEntry }>();
  for (const entry of all) {
    const mount = findMountContaining(table, await resolveExisting(entry.path));
    if (mount !== undefined && !byDevice.has(mount.majorMinor)) {
      byDevice.set(mount.majorMinor, { ...entry, mount });
    }
  }
  return byDevice;
}

/** Resolves a path that may not exist yet through its nearest existing ancestor. */
async function resolveExisting(path: string): Promise<string> {
  const absolute = resolve(path);
  let current = absolute;
  for (;;) {
    try {
      return join(await realpath(current), absolute.slice(current.length));
    } catch {
      const parent = dirname(current);
      if (parent === current) return absolute;
      current = parent;
    }
  }
}

function byDepthDescending(a: MountEntry, b: MountEntry): number {
  const depth = (mount: MountEntry) => mount.mountPoint.split('/').filter(Boolean).length;
  return depth(b) - depth(a) || a.mountPoint.localeCompare(b.mountPoint);
}
