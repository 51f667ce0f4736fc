import { readdir, readlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { readTrimmed } from './block-device-tree.js';

/** The serial number found for a whole disk, or the places that were looked at. */
export type SerialLookup =
  { serial: string; source: string } | { serial: undefined; checked: string[] };

/**
 * Finds the serial number of a whole disk: `/sys/block/<disk>/serial` (virtio-blk),
 * `/sys/block/<disk>/device/serial` (NVMe, SCSI), then `/dev/disk/by-id` links to the disk whose
 * name carries one of `knownSerials` (`virtio-<serial>`, `nvme-<model>_<serial>`).
 */
export async function readDiskSerial(
  sysRoot: string,
  byIdRoot: string,
  disk: string,
  knownSerials: readonly string[],
): Promise<SerialLookup> {
  const files = [
    join(sysRoot, 'block', disk, 'serial'),
    join(sysRoot, 'block', disk, 'device/serial'),
  ];
  for (const file of files) {
    const serial = await readTrimmed(file);
    if (serial !== '') return { serial, source: file };
  }

  const names = await linksTo(byIdRoot, disk);
  const matches = new Set<string>();
  for (const name of names) {
    for (const serial of knownSerials) {
      if (name === `virtio-${serial}` || name.endsWith(`_${serial}`)) matches.add(serial);
    }
  }
  // Two serials in the link names of one disk cannot both be right, so neither is used.
  if (matches.size === 1) {
    const [serial] = matches as Set<string>;
    return { serial: serial as string, source: join(byIdRoot, names.join(',')) };
  }
  return { serial: undefined, checked: [...files, `${join(byIdRoot, '*')} -> ${disk}`] };
}

/** Returns the names of the links in `folder` that point at the device `disk`. */
async function linksTo(folder: string, disk: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return [];
  }
  const matching: string[] = [];
  for (const name of names.sort()) {
    try {
      if (basename(await readlink(join(folder, name))) === disk) matching.push(name);
    } catch {
      // Not a link: by-id holds only links, so anything else is skipped.
    }
  }
  return matching;
}
