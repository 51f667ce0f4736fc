import { execFile } from 'node:child_process';

/** Outcome of one fsfreeze call. */
export interface FsfreezeResult {
  ok: boolean;
  /** True when a thaw failed because the filesystem was not frozen (EINVAL). */
  notFrozen: boolean;
  /** fsfreeze's error output, or the spawn error, when it failed. */
  message: string;
}

/** Runs `fsfreeze -f` (freeze) or `fsfreeze -u` (thaw) on one mountpoint. */
export function runFsfreeze(
  action: 'freeze' | 'thaw',
  mountpoint: string,
): Promise<FsfreezeResult> {
  const flag = action === 'freeze' ? '-f' : '-u';
  // The C locale keeps the error text stable, since EINVAL is recognised by its message.
  const env = { ...process.env, LC_ALL: 'C' };
  return new Promise((resolve) => {
    execFile('fsfreeze', [flag, mountpoint], { env }, (error, _stdout, stderr) => {
      if (error === null) {
        resolve({ ok: true, notFrozen: false, message: '' });
        return;
      }
      const message = stderr.trim() || error.message;
      resolve({ ok: false, notFrozen: message.includes('Invalid argument'), message });
    });
  });
}
