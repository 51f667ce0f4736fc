import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { findMount, parseMountinfo } from '../../src/disks/parse-mountinfo.js';
import type { RunRecord } from '../../src/snapshot/index.js';
import { callDaemon } from '../../src/socket/index.js';
import { writeHook } from '../consistency/hook-fixtures.js';
import { LoopMounts, run } from '../consistency/real-filesystems.js';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { waitForLine, waitUntil } from '../support/wait.js';

const REPO = resolve(import.meta.dirname, '../..');

/** The programs the daemon runs as: the compiled CLI, the release bundle, the single executable. */
export const DAEMON_COMMANDS = {
  compiled: [process.execPath, join(REPO, 'dist/cli.js')],
  bundle: [process.execPath, join(REPO, 'dist/release/selfsnap.cjs')],
  executable: [join(REPO, `dist/release/selfsnap-${process.platform}-${process.arch}`)],
};

/** The emulated data disk whose serial number the loop device gets. */
export const DATA_DISK = 'd-bp1selfsnap0dat00001';

/** A run as `POST /v1/runs` and `GET /v1/runs/{id}` return it. */
export type RunView = RunRecord & { freezeWindowMs: number | null };

/**
 * An emulator on loopback, a loop-mounted ext4 filesystem whose device a fake sysfs maps to an
 * emulated data disk, a folder for hooks, and the daemon as a child process.
 */
export class ConsistencyWorld {
  readonly mounts = new LoopMounts();
  readonly hookFolder: string;
  readonly marker: string;
  private daemons: DaemonChild[] = [];

  private constructor(
    readonly folder: string,
    readonly emulator: Emulator,
    readonly mountpoint: string,
  ) {
    this.hookFolder = join(folder, 'hooks');
    this.marker = join(this.hookFolder, 'marker');
  }

  /** Starts the emulator and mounts the filesystem; `cleanUp` undoes both. */
  static async create(): Promise<ConsistencyWorld> {
    const folder = await mkdtemp(join(tmpdir(), 'selfsnap-consistency-'));
    const emulator = await startEmulator({ scenario: { settings: { snapshotDuration: '1s' } } });
    const world = new ConsistencyWorld(folder, emulator, join(folder, 'data'));
    try {
      await mkdir(world.hookFolder, { mode: 0o700 });
      await world.mounts.mount(join(folder, 'data.img'), world.mountpoint);
      await world.writeFakeSysfs();
    } catch (error) {
      await world.cleanUp();
      throw error;
    }
    return world;
  }

  /** Writes a hook that appends its phase and snapshot ids to the marker, then runs `body`. */
  hook(name: string, body = 'exit 0', mode = 0o755): Promise<string> {
    const record = `echo "$SELFSNAP_PHASE ids=$SELFSNAP_SNAPSHOT_IDS" >> ${this.marker}`;
    return writeHook(this.hookFolder, name, `${record}\n${body}`, mode);
  }

  /** Returns the lines the hooks appended to the marker. */
  async hookCalls(): Promise<string[]> {
    const text = await readFile(this.marker, 'utf8').catch(() => '');
    return text.split('\n').filter((line) => line !== '');
  }

  /** Writes the config and starts the daemon with `command`, waiting until it is ready. */
  async startDaemon(
    policies: Record<string, unknown>,
    command: string[] = DAEMON_COMMANDS.compiled,
  ): Promise<DaemonChild> {
    const config = {
      metadata: { endpoint: this.emulator.imdsUrl },
      ecs: { endpoint: this.emulator.ecsEndpoint, protocol: 'http' },
      socket: { path: join(this.folder, 'selfsnap.sock'), group: null },
      stateDir: join(this.folder, 'state'),
      log: { level: 'debug' },
      policies,
    };
    const configPath = join(this.folder, 'config.yaml');
    await writeFile(configPath, stringify(config));
    const env = {
      ...process.env,
      SELFSNAP_TEST_SYSFS_ROOT: join(this.folder, 'fake/sys'),
      SELFSNAP_TEST_DISK_BY_ID_ROOT: join(this.folder, 'fake/by-id'),
    };
    const daemon = new DaemonChild(command, configPath, config.socket.path, env);
    this.daemons.push(daemon);
    await daemon.ready();
    return daemon;
  }

  /** Returns the `selfsnap:consistency` tag of every snapshot a run made. */
  consistencyTags(runId: string): string[] {
    return this.emulator.control
      .snapshots()
      .filter((snapshot) => tagValue(snapshot.tags, 'selfsnap:run') === runId)
      .map((snapshot) => tagValue(snapshot.tags, 'selfsnap:consistency'));
  }

  /** Kills the daemons, thaws and unmounts, detaches the loop device and removes the folder. */
  async cleanUp(): Promise<void> {
    for (const daemon of this.daemons) await daemon.kill('SIGKILL');
    try {
      await this.mounts.cleanUp();
    } finally {
      await detachLoops(join(this.folder, 'data.img'));
      await this.emulator.close();
      await rm(this.folder, { recursive: true, force: true });
    }
  }

  /** Gives the loop device under the mountpoint the serial number of `DATA_DISK`. */
  private async writeFakeSysfs(): Promise<void> {
    const mounts = parseMountinfo(await readFile('/proc/self/mountinfo', 'utf8'));
    const mount = findMount(mounts, this.mountpoint);
    if (mount === undefined) throw new Error(`${this.mountpoint} is not in mountinfo`);
    const device = join(this.folder, 'fake/sys/block', basename(mount.source));
    await mkdir(device, { recursive: true });
    await writeFile(join(device, 'dev'), `${mount.majorMinor}\n`);
    await writeFile(join(device, 'serial'), `${DATA_DISK.slice(2)}\n`);
    await mkdir(join(this.folder, 'fake/by-id'), { recursive: true });
  }
}

function tagValue(tags: { key: string; value: string }[], key: string): string {
  return tags.find((tag) => tag.key === key)?.value ?? '(none)';
}

/** Detaches any loop device still backed by `image`, which a lazy unmount can leave behind. */
async function detachLoops(image: string): Promise<void> {
  const listing = await run('losetup', ['-j', image]).catch(() => '');
  for (const line of listing.split('\n')) {
    const device = line.split(':')[0];
    if (device !== undefined && device !== '') await run('losetup', ['-d', device]).catch(() => '');
  }
}

/** The daemon as a child process, with its JSON log lines parsed. */
export class DaemonChild {
  readonly lines: string[] = [];
  private readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    command: string[],
    configPath: string,
    readonly socketPath: string,
    env: NodeJS.ProcessEnv,
  ) {
    const [file, ...args] = command as [string, ...string[]];
    this.child = spawn(file, [...args, 'daemon', '--json', '--config', configPath], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = new Promise((done) =>
      this.child.once('exit', (code, signal) => done({ code, signal })),
    );
    for (const stream of [this.child.stdout, this.child.stderr]) {
      stream?.setEncoding('utf8').on('data', (chunk: string) => {
        this.lines.push(...chunk.split('\n').filter(Boolean));
      });
    }
  }

  /** Waits for the socket and for the instance to be identified. */
  async ready(): Promise<void> {
    await waitForLine(this.child, /daemon ready/, 15_000);
    await waitUntil(
      async () => ((await this.get<{ ready: boolean }>('/v1/status')).ready ? true : undefined),
      15_000,
      'the daemon to identify the instance',
    );
  }

  /** Returns the parsed JSON log records whose `msg` is `message`. */
  logs(message: string): Record<string, unknown>[] {
    return this.lines
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((record) => record.msg === message);
  }

  /** Waits until the daemon or its watchdog logs `message`, and returns that record. */
  waitForLog(message: string, timeoutMs = 15_000): Promise<Record<string, unknown>> {
    return waitUntil(async () => this.logs(message)[0], timeoutMs, `log "${message}"`, 50);
  }

  /** Starts a run and waits until it reaches the `wait` mode; `none` returns at once. */
  async trigger(policy: string, wait = 'accomplished'): Promise<RunView> {
    const body = { policy, wait, timeoutMs: 30_000 };
    const answer = await callDaemon<{ run: RunView }>(this.socketPath, 'POST', '/v1/runs', {
      body,
      timeoutMs: 40_000,
    });
    return answer.run;
  }

  get<T>(path: string): Promise<T> {
    return callDaemon<T>(this.socketPath, 'GET', path);
  }

  /** Fetches a path whose response is plain text, such as `/metrics`. */
  getText(path: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const call = request({ socketPath: this.socketPath, path }, (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve(text));
      });
      call.on('error', reject);
      call.end();
    });
  }

  /** Sends a signal unless the process has exited, and resolves once it has. */
  async kill(signal: NodeJS.Signals): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    await this.exited;
  }
}
