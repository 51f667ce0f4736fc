import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { callDaemon } from '../../src/socket/index.js';
import type { RunRecord } from '../../src/snapshot/index.js';
import type { Emulator } from '../emulator/index.js';
import { waitForLine, waitUntil } from '../support/wait.js';

const CLI = resolve(import.meta.dirname, '../../dist/cli.js');

/** How a daemon process ended. */
export interface DaemonExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * The built daemon (`dist/cli.js daemon`) as a child process, pointed at an in-process emulator
 * on loopback, with its config, state folder and socket in a temporary folder.
 */
export class DaemonProcess {
  readonly output: string[] = [];
  private child?: ChildProcess;
  private exited?: Promise<DaemonExit>;

  private constructor(readonly folder: string) {}

  /** Writes the config for `policies` against `emulator`. */
  static async prepare(
    emulator: Emulator,
    policies: Record<string, unknown>,
  ): Promise<DaemonProcess> {
    const daemon = new DaemonProcess(await mkdtemp(join(tmpdir(), 'selfsnap-daemon-')));
    const config = {
      metadata: { endpoint: emulator.imdsUrl },
      ecs: { endpoint: emulator.ecsEndpoint, protocol: 'http' },
      socket: { path: daemon.socketPath, group: null },
      stateDir: join(daemon.folder, 'state'),
      log: { level: 'debug' },
      policies,
    };
    await writeFile(join(daemon.folder, 'config.yaml'), stringify(config));
    return daemon;
  }

  get socketPath(): string {
    return join(this.folder, 'selfsnap.sock');
  }

  /** Starts the daemon with extra environment variables and waits until it can run snapshots. */
  async start(env: Record<string, string> = {}): Promise<void> {
    const child = spawn(
      process.execPath,
      [CLI, 'daemon', '--json', '--config', join(this.folder, 'config.yaml')],
      {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    this.exited = new Promise((done) =>
      child.once('exit', (code, signal) => done({ code, signal })),
    );
    for (const stream of [child.stdout, child.stderr]) {
      stream
        ?.setEncoding('utf8')
        .on('data', (chunk: string) => this.output.push(...chunk.split('\n').filter(Boolean)));
    }
    await waitForLine(child, /daemon ready/, 15_000);
    await waitUntil(
      async () => ((await this.status()).ready ? true : undefined),
      15_000,
      'the daemon to identify the instance',
    );
  }

  /** Resolves once the process has exited. */
  async exit(): Promise<DaemonExit> {
    return this.exited ?? { code: null, signal: null };
  }

  /** Sends SIGTERM and resolves with how the process ended. */
  async terminate(): Promise<DaemonExit> {
    if (this.child?.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exit();
  }

  async status(): Promise<{ ready: boolean }> {
    return callDaemon<{ ready: boolean }>(this.socketPath, 'GET', '/v1/status');
  }

  /** Starts a run without waiting; the response is lost when the daemon dies first. */
  async trigger(policy: string): Promise<void> {
    await callDaemon(this.socketPath, 'POST', '/v1/runs', { body: { policy, wait: 'none' } }).catch(
      () => undefined,
    );
  }

  async run(runId: string): Promise<RunRecord> {
    return callDaemon<RunRecord>(this.socketPath, 'GET', `/v1/runs/${runId}`);
  }

  /** Returns the ids of the runs journaled in the state folder. */
  async journaledRunIds(): Promise<string[]> {
    const names = await readdir(join(this.folder, 'state/runs')).catch(() => [] as string[]);
    return names.filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -5));
  }

  /** Stops the process if it still runs and removes the folder. */
  async remove(): Promise<void> {
    await this.terminate();
    await rm(this.folder, { recursive: true, force: true });
  }
}
