import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, realpathSync, rmdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** What a command run inside the container returned. */
export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Runs as this user (through runuser, which also sets the user's groups); default root. */
  user?: string;
  input?: string;
  timeoutMs?: number;
}

export interface BootOptions {
  rootfs: string;
  /** Bound read-only at /src. */
  repo: string;
  name: string;
}

// The environment commands get inside: nothing leaks in from the host (CA bundles, tokens).
const CONTAINER_ENV = [
  'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  'HOME=/root',
  'LANG=C.UTF-8',
];
const BOOT_TIMEOUT_MS = 30_000;
const POWEROFF_TIMEOUT_MS = 20_000;
const DEFAULT_EXEC_TIMEOUT_MS = 60_000;

/** A Debian tree booted with systemd as PID 1 by systemd-nspawn, driven through nsenter. */
export class Container {
  private output = '';

  private constructor(
    private readonly nspawn: ChildProcess,
    private readonly name: string,
    readonly leaderPid: number,
  ) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-8_000);
    };
    nspawn.stdout?.on('data', keep);
    nspawn.stderr?.on('data', keep);
  }

  /**
   * Boots the tree with a private network (only lo inside) and a throwaway overlay over the tree,
   * and waits until systemd reports running or degraded.
   */
  static async boot(options: BootOptions): Promise<Container> {
    const nspawn = spawn(
      'systemd-nspawn',
      [...nspawnArgs(options), '--boot', '--console=passive'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const leaderPid = await waitForLeader(nspawn);
    const container = new Container(nspawn, options.name, leaderPid);
    const booted = await container.waitForBoot();
    if (booted !== 'running' && booted !== 'degraded') {
      await container.poweroff();
      throw new Error(`container did not boot: state "${booted}"\n${container.output}`);
    }
    return container;
  }

  /**
   * Waits for the boot to finish and returns systemd's state. Right after its exec, systemd has
   * not yet created its private socket and systemctl fails to connect, so this retries.
   */
  private async waitForBoot(): Promise<string> {
    const deadline = Date.now() + BOOT_TIMEOUT_MS;
    let result: ExecResult = { code: -1, stdout: '', stderr: '' };
    while (Date.now() < deadline) {
      result = await this.exec(['systemctl', 'is-system-running', '--wait'], {
        timeoutMs: deadline - Date.now(),
      });
      const state = result.stdout.trim();
      if (state !== '') return state;
      await sleep(100);
    }
    return `none within 30 s (${result.stderr.trim()})`;
  }

  /** Runs a command inside every namespace of the container with a clean environment. */
  exec(command: string[], options: ExecOptions = {}): Promise<ExecResult> {
    const asUser = options.user === undefined ? [] : ['runuser', '-u', options.user, '--'];
    const args = ['-t', String(this.leaderPid), '-a', 'env', '-i', ...CONTAINER_ENV];
    return new Promise((resolve) => {
      const child = execFile(
        'nsenter',
        [...args, ...asUser, ...command],
        { timeout: options.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => {
          let code = 0;
          // A command that could not run or timed out has no exit status; -1 stands for that.
          if (error !== null) code = typeof error.code === 'number' ? error.code : -1;
          resolve({ code, stdout, stderr });
        },
      );
      // A command that reads no input may exit before the write lands; that EPIPE is harmless.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(options.input ?? '');
    });
  }

  /** Runs a bash script inside the container and fails with its output when it exits non-zero. */
  async run(script: string, options: ExecOptions = {}): Promise<string> {
    // --norc: bash reads bash.bashrc when stdin is a socket, as node's pipes are, and that fails
    // under -u.
    const result = await this.exec(['bash', '--norc', '-euo', 'pipefail', '-c', script], options);
    if (result.code !== 0) {
      throw new Error(`exit ${result.code}: ${script}\n${result.stdout}${result.stderr}`);
    }
    return result.stdout;
  }

  /** Powers the container off and waits for nspawn to exit, killing it after a timeout. */
  async poweroff(): Promise<void> {
    if (this.nspawn.exitCode !== null || this.nspawn.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.nspawn.once('exit', () => resolve()));
    await this.exec(['systemctl', 'poweroff', '--no-block'], { timeoutMs: 5_000 });
    const timer = setTimeout(() => this.nspawn.kill('SIGKILL'), POWEROFF_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
    removePropagateFolder(this.name);
  }
}

/**
 * Runs one bash script in the tree without booting it, so systemd is not running inside: the
 * situation of a chroot or an image build. Extra nspawn arguments come before the command.
 */
export function runWithoutBoot(
  options: BootOptions,
  script: string,
  extraArgs: string[] = [],
): ExecResult {
  const result = spawnSync(
    'systemd-nspawn',
    [
      ...nspawnArgs(options),
      '--quiet',
      '--console=pipe',
      ...extraArgs,
      '/bin/bash',
      '--norc',
      '-c',
      script,
    ],
    { encoding: 'utf8', timeout: DEFAULT_EXEC_TIMEOUT_MS },
  );
  removePropagateFolder(options.name);
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function nspawnArgs(options: BootOptions): string[] {
  return [
    `--directory=${options.rootfs}`,
    `--machine=${options.name}`,
    // No host D-Bus or machined here; the test tracks the process itself.
    '--register=no',
    '--keep-unit',
    // Writes go to a tmpfs overlay, so the cached tree stays the same between runs.
    '--volatile=overlay',
    '--private-network',
    `--bind-ro=${realpathSync(process.execPath)}:/usr/bin/node`,
    `--bind-ro=${options.repo}:/src`,
  ];
}

/**
 * Removes the empty folder nspawn keeps for a machine's mount propagation. nspawn removes it
 * only when /run is a tmpfs, and on hosts where /run is on disk it prints "Attempted to remove
 * disk file system" and leaves it behind.
 */
function removePropagateFolder(name: string): void {
  try {
    rmdirSync(`/run/systemd/nspawn/propagate/${name}`);
  } catch {
    // Already gone (tmpfs /run), or not empty, which means nspawn still uses it.
  }
}

/**
 * Waits until nspawn's child has become the container's systemd and returns its host PID.
 * Before its exec the child still runs nspawn's setup code, and nsenter would enter a
 * half-built container.
 */
async function waitForLeader(nspawn: ChildProcess): Promise<number> {
  const deadline = Date.now() + BOOT_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (nspawn.exitCode !== null) throw new Error(`systemd-nspawn exited with ${nspawn.exitCode}`);
    const [child] = await childPids(nspawn.pid ?? 0);
    if (child !== undefined && processName(child) === 'systemd') return child;
    await sleep(100);
  }
  nspawn.kill('SIGKILL');
  throw new Error('systemd-nspawn started no container within 30 s');
}

function processName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

function childPids(pid: number): Promise<number[]> {
  return new Promise((resolve) => {
    execFile('ps', ['--ppid', String(pid), '-o', 'pid='], (_error, stdout) => {
      resolve(
        stdout
          .split('\n')
          .map(Number)
          .filter((child) => child > 0),
      );
    });
  });
}
