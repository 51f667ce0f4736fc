import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { findMount, parseMountinfo } from '../../src/disks/parse-mountinfo.js';

/**
 * Writes a fake sysfs under `folder` in which the block device under `mountpoint` (a loop
 * device, which has no serial number) carries the serial number of cloud disk `diskId`, and
 * returns the `SELFSNAP_TEST_*` variables that point a daemon at it.
 */
export async function fakeSysfsFor(
  folder: string,
  mountpoint: string,
  diskId: string,
): Promise<Record<string, string>> {
  const mounts = parseMountinfo(await readFile('/proc/self/mountinfo', 'utf8'));
  const mount = findMount(mounts, mountpoint);
  if (mount === undefined) throw new Error(`${mountpoint} is not in mountinfo`);
  const device = join(folder, 'sys/block', basename(mount.source));
  await mkdir(device, { recursive: true });
  await writeFile(join(device, 'dev'), `${mount.majorMinor}\n`);
  // ECS serial numbers are the disk id without its `d-` prefix.
  await writeFile(join(device, 'serial'), `${diskId.slice(2)}\n`);
  await mkdir(join(folder, 'by-id'), { recursive: true });
  return {
    SELFSNAP_TEST_SYSFS_ROOT: join(folder, 'sys'),
    SELFSNAP_TEST_DISK_BY_ID_ROOT: join(folder, 'by-id'),
  };
}
