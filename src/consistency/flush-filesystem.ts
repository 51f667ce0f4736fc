import { execFile } from 'node:child_process';

/**
 * Writes a filesystem's dirty data to disk with `sync -f` (syncfs(2)), so the `fsfreeze -f` that
 * follows has little left to flush and the filesystem stays frozen for a shorter time. Resolves
 * to the error output when the sync failed; the freeze then flushes everything itself.
 */
export function flushFilesystem(mountpoint: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('sync', ['-f', mountpoint], (error, _stdout, stderr) => {
      resolve(error === null ? undefined : stderr.trim() || error.message);
    });
  });
}
