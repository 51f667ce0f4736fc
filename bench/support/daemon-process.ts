import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { callDaemon } from '../../src/socket/index.js';
import { probeSocket, waitFor } from './proc.js';

/** The built CLI, which `npm run build` writes. */
export const CLI_PATH = resolve(import.meta.dirname, '../../dist/cli.js');
/** The clock preload that runs a subprocess on an emulated clock. */
export const FAST_CLOCK_PATH = resolve(import.meta.dirname, 'fast-clock.mjs');

/** Settings of the clock preload in fast-clock.mjs; see that file for their meaning. */
export interface FastClockSettings {
  startMs: number;
  anchorRealMs?: number;
  speed: number;
  jump?: { heartbeats: number; statsFile: string };
}

/** How to configure and start one daemon. */
export interface DaemonSettings {
  /** Folder for the config, state, socket and log; the caller removes it. */
  folder: string;
  emulator: { imdsUrl: string; ecsEndpoint: string };
  /** Policies in config.yaml form. */
  policies: Record<string, unknown>;
  /** Runs the daemon on an emulated clock; the real clock without it. */
  clock?: FastClockSettings;
  /** `ecs.timeout` and `metadata.timeout`, e.g. `10s`; longer under a fast clock. */
  timeouts?: { ecs: string; metadata: string };
}

const runningDaemons = new Set<ChildProcess>();

/** Kills every daemon subprocess still running, for a runner that is interrupted. */
export function stopAllDaemons(): void {
  for (const child of runningDaemons) child.kill('SIGKILL');
}

/** A `selfsnap daemon` subprocess whose socket accepts requests. */
export class DaemonProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly socketPath: string,
    /** Milliseconds from spawn until the socket responded to a status request. */
    readonly readyMs: number,
  ) {}

  /** Process id of the daemon (node itself, no wrapper). */
  get pid(): number {
    return this.child.pid as number;
  }

  /** Writes the config, spawns the daemon and waits until its socket responds. */
  static async start(settings: DaemonSettings): Promise<DaemonProcess> {
    const socketPath = join(settings.folder, 'selfsnap.sock');
    const configPath = join(settings.folder, 'config.yaml');
    await writeFile(configPath, JSON.stringify(buildConfig(settings, socketPath), null, 2));

    const log = openSync(join(settings.folder, 'daemon.log'), 'a');
    const preload = settings.clock === undefined ? [] : ['--import', FAST_CLOCK_PATH];
    const spawnedAt = performance.now();
    const child = spawn(
      process.execPath,
      [...preload, CLI_PATH, 'daemon', '--config', configPath],
      {
        stdio: ['ignore', log, log],
        env: { ...process.env, SELFSNAP_BENCH_CLOCK: JSON.stringify(settings.clock ?? {}) },
      },
    );
    closeSync(log);
    runningDaemons.add(child);
    child.once('exit', () => runningDaemons.delete(child));
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`daemon exited with ${code} before ready`))),
    );
    exited.catch(() => undefined);
    const ready = waitFor(() => probeSocket(socketPath, '/v1/status'), 15_000, 'daemon socket', 2);
    await Promise.race([ready, exited]);
    return new DaemonProcess(child, socketPath, performance.now() - spawnedAt);
  }

  /** Sends one request to the daemon's socket API. */
  call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    return callDaemon<T>(this.socketPath, method, path, { body, timeoutMs: 120_000 });
  }

  /** Waits until the daemon has identified the instance and accepts runs (`ready`). */
  async waitUntilConnected(): Promise<void> {
    await waitFor(
      async () => {
        const status = await this.call<{ ready: boolean }>('GET', '/v1/status');
        return status.ready ? true : undefined;
      },
      15_000,
      'the daemon to identify the instance',
      20,
    );
  }

  /** Waits until no run is in flight. */
  async waitUntilIdle(timeoutMs = 60_000): Promise<void> {
    await waitFor(
      async () => {
        const runs = await this.call<{ runs: unknown[] }>('GET', '/v1/runs?status=running');
        return runs.runs.length === 0 ? true : undefined;
      },
      timeoutMs,
      'runs in flight to finish',
      50,
    );
  }

  /** Sends a signal to the daemon. */
  signal(name: NodeJS.Signals): void {
    this.child.kill(name);
  }

  /** Stops the daemon with SIGTERM and waits for it to exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 25_000);
    await exited;
    clearTimeout(timer);
  }
}

function buildConfig(settings: DaemonSettings, socketPath: string): Record<string, unknown> {
  const timeouts = settings.timeouts ?? { ecs: '10s', metadata: '2s' };
  return {
    metadata: { endpoint: settings.emulator.imdsUrl, timeout: timeouts.metadata, retries: 1 },
    ecs: { endpoint: settings.emulator.ecsEndpoint, protocol: 'http', timeout: timeouts.ecs },
    socket: { path: socketPath, group: null },
    stateDir: join(settings.folder, 'state'),
    log: { level: 'info' },
    policies: settings.policies,
  };
}
