import type { DiskLookupRoots } from './resolve-mountpoints.js';

/** Environment variable that replaces `/sys` in disk lookups; a test aid, never a setting. */
export const TEST_SYSFS_ROOT_VARIABLE = 'SELFSNAP_TEST_SYSFS_ROOT';
/** Environment variable that replaces `/dev/disk/by-id` in disk lookups; a test aid as well. */
export const TEST_DISK_BY_ID_ROOT_VARIABLE = 'SELFSNAP_TEST_DISK_BY_ID_ROOT';

/**
 * Test aid: reads the sysfs and by-id folders that the two `SELFSNAP_TEST_*` variables name, so
 * a test can give a loop device the serial number of an emulated cloud disk. The mount table is
 * always the real `/proc/self/mountinfo`. Returns no override when neither variable is set, which
 * is how the unit runs the daemon.
 */
export function readTestLookupRoots(
  env: NodeJS.ProcessEnv = process.env,
): Partial<DiskLookupRoots> {
  const roots: Partial<DiskLookupRoots> = {};
  const sys = env[TEST_SYSFS_ROOT_VARIABLE];
  const byId = env[TEST_DISK_BY_ID_ROOT_VARIABLE];
  if (sys !== undefined && sys !== '') roots.sys = sys;
  if (byId !== undefined && byId !== '') roots.byId = byId;
  return roots;
}
