import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { Daemon } from '../../src/daemon.js';
import { createLogger } from '../../src/log/index.js';
import { realSystemIt } from '../support/require-real-system.js';
import { getJson, startTestDaemon, type TestDaemon } from './test-daemon.js';

const run = promisify(execFile);

/** Leaves a socket file with no listener behind, as a daemon killed with SIGKILL does. */
async function leaveStaleSocket(path: string): Promise<void> {
  const child = spawn(process.execPath, [
    '-e',
    `require('node:net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`,
  ]);
  await new Promise((resolve) => child.stdout.once('data', resolve));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('socket file at start-up', () => {
  it('replaces a stale socket left by a killed daemon', async () => {
    let staleExisted = false;
    const daemon = await startTestDaemon({
      beforeStart: async (path) => {
        await leaveStaleSocket(path);
        staleExisted = (await lstat(path)).isSocket();
      },
    });
    try {
      const { status } = await getJson(daemon.socketPath, '/v1/status');

      expect(staleExisted).toBe(true);
      expect(status).toBe(200);
    } finally {
      await daemon.stop();
    }
  });

  it('refuses to start with SOCKET_IN_USE when another daemon serves the socket', async () => {
    const first = await startTestDaemon();
    try {
      const config = parseConfig(first.configText, 'test config');
      const second = new Daemon(config, createLogger({ level: 'silent' }));

      await expect(second.start()).rejects.toMatchObject({
        code: 'SOCKET_IN_USE',
        message: expect.stringContaining('another selfsnap daemon is serving') as unknown,
      });
      const { status } = await getJson(first.socketPath, '/v1/status');
      expect(status).toBe(200);
    } finally {
      await first.stop();
    }
  });

  it('refuses to remove a file at the socket path that is not a socket', async () => {
    await expect(
      startTestDaemon({
        beforeStart: (path) => writeFile(path, 'not a socket'),
      }),
    ).rejects.toMatchObject({ code: 'SOCKET_IN_USE' });
  });

  it('leaves no folder or emulator behind when the daemon cannot start', async () => {
    let socketPath = '';
    const started = startTestDaemon({
      beforeStart: async (path) => {
        socketPath = path;
        await mkdir(path);
      },
    });

    await expect(started).rejects.toThrow(/selfsnap\.sock/);
    await expect(stat(dirname(socketPath))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

const isRoot = process.getuid?.() === 0;
const realIt = realSystemIt(isRoot ? undefined : 'creating users and groups needs root');

describe('socket file permissions', () => {
  const suffix = randomBytes(3).toString('hex');
  const group = `sstg${suffix}`;
  const member = `sstm${suffix}`;
  const outsider = `ssto${suffix}`;
  let daemon: TestDaemon | undefined;

  beforeAll(async () => {
    if (!isRoot) return;
    await run('groupadd', [group]);
    await run('useradd', ['--no-create-home', '--groups', group, member]);
    await run('useradd', ['--no-create-home', outsider]);
    daemon = await startTestDaemon({ socketGroup: group });
    // The folder is open to everyone, so only the socket's own mode decides who gets in.
    await chmod(daemon.folder, 0o755);
  });

  afterAll(async () => {
    await daemon?.stop();
    if (!isRoot) return;
    await run('userdel', [member]).catch(() => undefined);
    await run('userdel', [outsider]).catch(() => undefined);
    await run('groupdel', [group]).catch(() => undefined);
  });

  const curlAs = (user: string, socketPath: string) =>
    run('runuser', [
      '-u',
      user,
      '--',
      'curl',
      '-sS',
      '--unix-socket',
      socketPath,
      'http://localhost/v1/status',
    ]);

  realIt('creates the socket with mode 0660 and the configured group', async () => {
    const active = daemon as TestDaemon;
    const { stdout } = await run('getent', ['group', group]);
    const gid = Number(stdout.split(':')[2]);

    const info = await stat(active.socketPath);

    expect(info.mode & 0o777).toBe(0o660);
    expect(info.gid).toBe(gid);
  });

  realIt('lets a member of the group query the socket', async () => {
    const { stdout } = await curlAs(member, (daemon as TestDaemon).socketPath);

    expect((JSON.parse(stdout) as { ready: boolean }).ready).toBe(true);
  });

  realIt('refuses a user outside the group by the file mode', async () => {
    const socketPath = (daemon as TestDaemon).socketPath;
    const probe = `require('node:net').createConnection(${JSON.stringify(socketPath)})
      .on('connect', () => { console.log('connected'); process.exit(0); })
      .on('error', (error) => { console.log(error.code); process.exit(0); });`;

    const { stdout } = await run('runuser', ['-u', outsider, '--', process.execPath, '-e', probe]);

    expect(stdout.trim()).toBe('EACCES');
    await expect(curlAs(outsider, socketPath)).rejects.toMatchObject({ code: 7 });
  });
});
