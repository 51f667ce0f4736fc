import { execFile, spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

const TOOLS = ['fsfreeze', 'mkfs.ext4', 'mount', 'umount', 'losetup', 'truncate'];
const COMMAND_TIMEOUT_MS = 15_000;

/** Says why loop-mounted filesystems cannot be frozen here, or undefined when they can. */
export function freezeSupportGap(): string | undefined {
  if (process.getuid?.() !== 0) return 'fsfreeze and loop mounts need root: run the tests as root';
  if (!existsSync('/dev/loop-control')) return 'no loop devices (/dev/loop-control is missing)';
  const path = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin']);
  const missing = TOOLS.filter((tool) => !path.some((dir) => isExecutable(join(dir, tool))));
  if (missing.length > 0) return `missing ${missing.join(', ')} (util-linux, e2fsprogs)`;
  return undefined;
}

/** Says why root-owned hook files cannot be made here, or undefined when they can. */
export function rootGap(): string | undefined {
  return process.getuid?.() === 0 ? undefined : 'hooks must be owned by root, so tests need root';
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Runs a command and fails on a non-zero exit or when it outlives the timeout. */
export function run(file: string, args: string[], timeoutMs = COMMAND_TIMEOUT_MS): Promise<string> {
  return new Promise((resolve, reject) => {
    // A command stuck on a frozen filesystem ignores signals, so the timer settles the promise.
    const timer = setTimeout(() => {
      child.unref();
      reject(new Error(`${file} ${args.join(' ')} still running after ${timeoutMs} ms`));
    }, timeoutMs);
    const child = execFile(
      file,
      args,
      { env: { ...process.env, LC_ALL: 'C' } },
      (error, out, err) => {
        clearTimeout(timer);
        if (error === null) resolve(out);
        else reject(new Error(`${file} ${args.join(' ')} failed: ${err.trim() || error.message}`));
      },
    );
  });
}

/** Loop-mounted ext4 filesystems made under one temp folder, removed again by `cleanUp`. */
export class LoopMounts {
  private readonly mounted: string[] = [];

  /** Makes an ext4 image and mounts it through a loop device; the image may sit on another mount. */
  async mount(image: string, mountpoint: string, sizeMb = 32): Promise<string> {
    await run('truncate', ['-s', `${sizeMb}M`, image]);
    await run('mkfs.ext4', ['-q', '-F', image]);
    await mkdir(mountpoint, { recursive: true });
    await run('mount', ['-o', 'loop', image, mountpoint]);
    this.mounted.push(mountpoint);
    return mountpoint;
  }

  /** Thaws every mount (outermost first), then unmounts them innermost first and frees the loops. */
  async cleanUp(): Promise<void> {
    for (const mountpoint of this.mounted) {
      await run('fsfreeze', ['-u', mountpoint]).catch(() => undefined);
    }
    const errors: string[] = [];
    for (const mountpoint of [...this.mounted].reverse()) {
      const error = await unmount(mountpoint);
      if (error !== undefined) errors.push(error);
    }
    this.mounted.length = 0;
    if (errors.length > 0) throw new Error(errors.join('\n'));
  }
}

async function unmount(mountpoint: string): Promise<string | undefined> {
  // A loop device detaches a moment after the unmount of the filesystem inside it, and a write
  // probe may still be finishing, so the outer unmount can be busy for a short while.
  for (let attempt = 0; attempt < 20; attempt += 1) {
    try {
      await run('umount', [mountpoint]);
      return undefined;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  // A mount namespace created elsewhere while the mount existed (systemd-nspawn, unshare -m) keeps
  // a copy of it, which keeps the filesystem and its loop device alive. A lazy unmount still
  // removes it from this namespace, and the loop device detaches once that copy goes.
  try {
    await run('umount', ['--lazy', mountpoint]);
    console.warn(`${mountpoint} was busy, so it was unmounted lazily`);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Removes a test's temp folder once nothing is mounted inside it. */
export async function removeFolder(folder: string): Promise<void> {
  await rm(folder, { recursive: true, force: true });
}

/** A write started in a child process, which blocks while the filesystem is frozen. */
export interface WriteProbe {
  /** Resolves with the ms from the start until the write finished. */
  finished: Promise<number>;
}

/** Starts one write into a folder from a child process, so a frozen filesystem never blocks us. */
export function startWriteProbe(folder: string): WriteProbe {
  const startedAt = performance.now();
  const child = spawn('/bin/sh', ['-c', 'echo probe > "$1/probe.$$"', 'sh', folder], {
    stdio: 'ignore',
  });
  child.unref();
  const finished = new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(performance.now() - startedAt);
      else reject(new Error(`write probe in ${folder} exited with ${code}`));
    });
  });
  return { finished };
}

/** Returns the ms a write took, or undefined when it is still blocked after `timeoutMs`. */
export async function timeWrite(folder: string, timeoutMs: number): Promise<number | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  const result = await Promise.race([startWriteProbe(folder).finished, timeout]);
  clearTimeout(timer);
  return result;
}
