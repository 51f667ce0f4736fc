import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Says why this machine cannot mount a tmpfs for a test, or undefined when it can. */
export function mountGap(): string | undefined {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  return undefined;
}

/**
 * A tmpfs of a fixed size mounted on a test folder, so a case can fill it up or make it
 * read-only under a running daemon. `unmount` is lazy, because a daemon may still hold files.
 */
export class ScratchMount {
  private constructor(readonly path: string) {}

  /** Mounts a tmpfs of `sizeKiB` on `path`, creating the folder. */
  static async create(path: string, sizeKiB: number): Promise<ScratchMount> {
    await mkdir(path, { recursive: true });
    await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k,mode=0700`, 'selfsnap-test', path]);
    return new ScratchMount(path);
  }

  /** Remounts read-only (`ro`) or read-write (`rw`). */
  async remount(mode: 'ro' | 'rw'): Promise<void> {
    await run('mount', ['-o', `remount,${mode}`, this.path]);
  }

  /** Fills the free space with one file until the filesystem reports ENOSPC. */
  async fill(fileName = 'filler'): Promise<void> {
    // dd ends with "No space left on device" and a non-zero status once the tmpfs is full.
    await run('dd', ['if=/dev/zero', `of=${this.path}/${fileName}`, 'bs=4k']).catch(
      (error: { stderr?: string }) => {
        if (!String(error.stderr).includes('No space left')) throw error;
      },
    );
  }

  /** Unmounts, lazily when a process still holds a file on it. */
  async unmount(): Promise<void> {
    await run('umount', ['-l', this.path]).catch(() => undefined);
  }
}
