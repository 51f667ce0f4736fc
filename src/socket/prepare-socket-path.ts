import { lstat, mkdir, readFile, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { dirname } from 'node:path';
import { SelfsnapError } from '../errors/index.js';

/**
 * Makes `path` ready to listen on: creates its folder and removes a stale socket left by a daemon
 * that died, but fails with SOCKET_IN_USE when a live daemon still accepts connections there.
 */
export async function prepareSocketPath(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o755 });
  const alive = await new Promise<boolean>((resolve) => {
    const probe = createConnection(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive) throw socketInUse(path);
  const existing = await lstat(path).catch(() => undefined);
  if (existing !== undefined && !existing.isSocket()) {
    throw new SelfsnapError(
      'SOCKET_IN_USE',
      `${path} exists and is not a socket; remove it or set socket.path to another file`,
    );
  }
  await rm(path, { force: true });
}

/** Builds the error for a socket path that another daemon serves. */
export function socketInUse(path: string): SelfsnapError {
  return new SelfsnapError(
    'SOCKET_IN_USE',
    `another selfsnap daemon is serving ${path}; stop it first`,
  );
}

/** Looks up a group's id in /etc/group; undefined when there is no such group. */
export async function lookupGroupId(name: string): Promise<number | undefined> {
  const groups = await readFile('/etc/group', 'utf8').catch(() => '');
  for (const line of groups.split('\n')) {
    const [groupName, , gid] = line.split(':');
    if (groupName === name && gid !== undefined) return Number(gid);
  }
  return undefined;
}
