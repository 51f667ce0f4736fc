import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runChecked, runTimed } from './proc.js';

/** A filesystem mounted for a benchmark to freeze. */
export interface ScratchFilesystem {
  mountpoint: string;
  /** Thaws (in case a run left it frozen), unmounts and removes the image. */
  unmount(): Promise<void>;
}

/**
 * Creates a 64 MiB ext4 image under `folder` and mounts it on a loop device; needs root, like
 * the daemon's own freeze.
 */
export async function mountScratchFilesystem(folder: string): Promise<ScratchFilesystem> {
  const image = join(folder, 'fs.img');
  const mountpoint = join(folder, 'mnt');
  await mkdir(mountpoint, { recursive: true });
  await runChecked('truncate', ['-s', '64M', image]);
  await runChecked('mkfs.ext4', ['-q', image]);
  await runChecked('mount', ['-o', 'loop', image, mountpoint]);
  return {
    mountpoint,
    unmount: async () => {
      await runTimed('fsfreeze', ['-u', mountpoint]);
      await runChecked('umount', [mountpoint]);
      await rm(folder, { recursive: true, force: true });
    },
  };
}
