import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SelfsnapError } from '../errors/index.js';

// Permission bits that let a group or other users change a file or the entries of a folder.
const GROUP_OTHER_WRITE = 0o022;

/**
 * Checks that a hook may run as root and returns its resolved path, or throws HOOK_UNSAFE. The
 * hook must be a regular executable file that root owns and only root may write. The same holds
 * for the folders of the configured path and of its resolved target, because whoever can write
 * to either folder can swap the file that runs.
 */
export async function checkHookSafety(hookPath: string): Promise<string> {
  let target: string;
  try {
    target = await realpath(hookPath);
  } catch (error) {
    throw unsafe(hookPath, 'does not exist', 'create it or fix the path in hooks', error);
  }

  const info = await stat(target);
  if (!info.isFile()) {
    throw unsafe(hookPath, 'is not a regular file', 'point hooks at an executable file');
  }
  try {
    await access(target, constants.X_OK);
  } catch (error) {
    throw unsafe(hookPath, 'is not executable', `run: chmod 0755 ${target}`, error);
  }
  checkOwnership(hookPath, target, info, 'file');

  const folders = new Set([dirname(hookPath), dirname(target)]);
  for (const folder of folders) {
    checkOwnership(hookPath, folder, await stat(folder), 'folder');
  }
  return target;
}

function checkOwnership(
  hookPath: string,
  checked: string,
  info: { uid: number; mode: number },
  kind: 'file' | 'folder',
): void {
  const subject = kind === 'file' ? '' : ` (its folder ${checked})`;
  if (info.uid !== 0) {
    const problem = `is owned by uid ${info.uid}, not root${subject}`;
    throw unsafe(hookPath, problem, `run: chown root ${checked}`);
  }
  if ((info.mode & GROUP_OTHER_WRITE) !== 0) {
    const mode = (info.mode & 0o7777).toString(8).padStart(4, '0');
    const problem = `is writable by group or others (mode ${mode})${subject}`;
    throw unsafe(hookPath, problem, `run: chmod go-w ${checked}`);
  }
}

function unsafe(hookPath: string, problem: string, fix: string, cause?: unknown): SelfsnapError {
  return new SelfsnapError('HOOK_UNSAFE', `hook ${hookPath} ${problem}; ${fix}`, { cause });
}
