import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { Emulator } from '../emulator/index.js';
import { requestOverSocket, type SocketResponse } from '../support/socket-request.js';
import { waitForLine, waitUntil } from '../support/wait.js';

const CLI = resolve(import.meta.dirname, '../../dist/cli.js');

/** How a daemon process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** What a case may change in the daemon's config. */
export interface DaemonConfigOptions {
  policies: Record<string, unknown>;
  /** State folder inside the temporary folder; default `state`. */
  stateSubdir?: string;
  /** Metadata timeout and retries; short by default so outages show quickly. */
  metadata?: { timeout?: string; retries?: number };
}

/** How one start of the daemon process is made. */
export interface StartOptions {
  env?: Record<string, string>;
  /** Modules loaded with `node --import` before the CLI. */
  preload?: string[];
  /** Wait until the daemon has identified the instance; default true. */
  waitReady?: boolean;
}

/**
 * The built daemon (`dist/cli.js daemon --json`) as a child process against an in-process
 * emulator, with config, state and socket in a temporary folder. It records every output line
 * and every socket response across restarts, for the invariant checker.
 */
export class DaemonUnderTest {
  /** Every stdout and stderr line of every start. */
  readonly lines: string[] = [];
  /** Every socket response body read through `request`. */
  readonly responses: string[] = [];
  readonly stateDir: string;
  private child?: ChildProcess;
  private exited?: Promise<ProcessExit>;

  private constructor(
    readonly folder: string,
    readonly emulator: Emulator,
    options: DaemonConfigOptions,
  ) {
    this.stateDir = join(folder, options.stateSubdir ?? 'state');
  }

  /** Writes the config for `options` against `emulator` in a new temporary folder. */
  static async prepare(emulator: Emulator, options: DaemonConfigOptions): Promise<DaemonUnderTest> {
    const folder = await mkdtemp(join(tmpdir(), 'selfsnap-reliability-'));
    const daemon = new DaemonUnderTest(folder, emulator, options);
    const config = {
      metadata: {
        endpoint: emulator.imdsUrl,
        timeout: options.metadata?.timeout ?? '500ms',
        retries: options.metadata?.retries ?? 1,
      },
      ecs: { endpoint: emulator.ecsEndpoint, protocol: 'http', timeout: '3s' },
      socket: { path: daemon.socketPath, group: null },
      stateDir: daemon.stateDir,
      log: { level: 'debug' },
      policies: options.policies,
    };
    await writeFile(daemon.configPath, stringify(config));
    return daemon;
  }

  get socketPath(): string {
    return join(this.folder, 'selfsnap.sock');
  }

  get configPath(): string {
    return join(this.folder, 'config.yaml');
  }

  /** Whether the last started process is still running. */
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && !this.child.signalCode;
  }

  /** Spawns the daemon without waiting for anything; returns the process. */
  spawn(options: StartOptions = {}): ChildProcess {
    const imports = (options.preload ?? []).flatMap((path) => ['--import', path]);
    const child = spawn(
      process.execPath,
      [...imports, CLI, 'daemon', '--json', '--config', this.configPath],
      { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    this.exited = new Promise((done) =>
      child.once('exit', (code, signal) => done({ code, signal })),
    );
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream?.setEncoding('utf8').on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        this.lines.push(...lines.filter((line) => line !== ''));
      });
    }
    return child;
  }

  /** Starts the daemon and waits until its socket serves and, by default, it is ready. */
  async start(options: StartOptions = {}): Promise<void> {
    const child = this.spawn(options);
    await waitForLine(child, /daemon ready/, 15_000);
    if (options.waitReady === false) return;
    await waitUntil(
      async () => ((await this.status()).ready ? true : undefined),
      15_000,
      'the daemon to identify the instance',
      100,
    );
  }

  /** Resolves once the last started process has exited. */
  async exit(): Promise<ProcessExit> {
    return this.exited ?? { code: null, signal: null };
  }

  /** Sends `signal` (SIGTERM by default) and resolves with how the process ended. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<ProcessExit> {
    if (this.running) this.child?.kill(signal);
    return this.exit();
  }

  /** Sends a signal to the running process without waiting for anything. */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child?.kill(signal);
  }

  /** Returns the ids of the runs journaled in the state folder. */
  async journaledRunIds(): Promise<string[]> {
    const names = await readdir(join(this.stateDir, 'runs')).catch(() => [] as string[]);
    return names.filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -5));
  }

  /** Sends one request to the socket and records the response body. */
  async request(method: string, path: string, body?: unknown): Promise<SocketResponse> {
    const response = await requestOverSocket(this.socketPath, method, path, { body });
    this.responses.push(response.text);
    return response;
  }

  async status(): Promise<
    { ready: boolean; health: { status: string } } & Record<string, unknown>
  > {
    const response = await this.request('GET', '/v1/status');
    if (response.status !== 200) throw new Error(`status returned HTTP ${response.status}`);
    return JSON.parse(response.text) as { ready: boolean; health: { status: string } };
  }

  /** Starts a run of `policy` without waiting for it; returns the run id. */
  async trigger(policy: string, reason?: string): Promise<string> {
    const response = await this.request('POST', '/v1/runs', { policy, reason, wait: 'none' });
    if (response.status >= 400)
      throw new Error(`trigger returned HTTP ${response.status}: ${response.text}`);
    return (JSON.parse(response.text) as { run: { id: string } }).run.id;
  }

  /** Returns one run as the socket shows it. */
  async run(runId: string): Promise<{ id: string; status: string } & Record<string, unknown>> {
    const response = await this.request('GET', `/v1/runs/${runId}`);
    if (response.status !== 200) throw new Error(`run ${runId} returned HTTP ${response.status}`);
    return JSON.parse(response.text) as { id: string; status: string };
  }

  /** Waits until a run has ended and returns it. */
  async waitForRun(runId: string, timeoutMs = 20_000) {
    return waitUntil(
      async () => {
        const run = await this.run(runId);
        return run.status === 'running' ? undefined : run;
      },
      timeoutMs,
      `run ${runId} to end`,
      100,
    );
  }

  /** Stops the process if it still runs and removes the folder; `beforeRemove` may unmount. */
  async remove(beforeRemove?: () => Promise<void>): Promise<void> {
    await this.stop('SIGKILL');
    await beforeRemove?.();
    await rm(this.folder, { recursive: true, force: true });
  }
}
