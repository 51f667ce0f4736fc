import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { METADATA_ADDRESS, NetworkNamespace } from './netns.js';
import { waitForLine, waitUntil } from './wait.js';

const REPO = resolve(import.meta.dirname, '../..');
const CLI = join(REPO, 'dist/cli.js');
const EMULATOR_MAIN = join(REPO, 'test/emulator/main.ts');
// Inside the namespace nothing else listens, so a fixed port is safe and keeps configs readable.
const ECS_PORT = 18081;

/** What a test may change in the daemon's config and the emulator's scenario. */
export interface FixtureOptions {
  policies: Record<string, unknown>;
  triggers?: Record<string, unknown>;
  scenario?: Record<string, unknown>;
}

/**
 * The emulator on 100.100.100.200:80 and the daemon with default metadata settings, both inside a
 * fresh network namespace; the daemon's socket is a file the test reaches from outside.
 */
export class NetnsFixture {
  readonly daemonLog: string[] = [];

  private constructor(
    readonly namespace: NetworkNamespace,
    readonly folder: string,
    readonly socketPath: string,
    private readonly emulator: ChildProcess,
    private daemon?: ChildProcess,
  ) {}

  /** Creates the namespace, starts the emulator, writes the config and starts the daemon. */
  static async start(options: FixtureOptions): Promise<NetnsFixture> {
    const folder = await mkdtemp(join(tmpdir(), 'selfsnap-e2e-'));
    const namespace = await NetworkNamespace.create();
    const scenarioPath = join(folder, 'scenario.json');
    await writeFile(scenarioPath, JSON.stringify(options.scenario ?? {}));

    const emulator = namespace.spawn(process.execPath, [
      '--import',
      'tsx',
      EMULATOR_MAIN,
      '--imds',
      `${METADATA_ADDRESS}:80`,
      '--ecs',
      `127.0.0.1:${ECS_PORT}`,
      '--scenario',
      scenarioPath,
    ]);
    const fixture = new NetnsFixture(namespace, folder, join(folder, 'selfsnap.sock'), emulator);
    try {
      await waitForLine(emulator, /ready/, 15_000);
      await fixture.writeConfig(options);
      await fixture.startDaemon();
    } catch (error) {
      await fixture.stop();
      throw error;
    }
    return fixture;
  }

  /** Path of the daemon's config file. */
  get configPath(): string {
    return join(this.folder, 'config.yaml');
  }

  /** Starts (or restarts) the daemon and waits until its socket answers. */
  async startDaemon(): Promise<void> {
    const daemon = this.namespace.spawn(process.execPath, [
      CLI,
      'daemon',
      '--config',
      this.configPath,
    ]);
    this.daemon = daemon;
    let partial = '';
    daemon.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      this.daemonLog.push(...lines.filter((line) => line !== ''));
    });
    await waitForLine(daemon, /daemon ready/, 15_000);
  }

  /** Sends SIGTERM to the daemon and waits for it to exit; returns the exit code. */
  async stopDaemon(): Promise<number | null> {
    const daemon = this.daemon;
    if (daemon === undefined || daemon.exitCode !== null) return daemon?.exitCode ?? null;
    const exited = new Promise<number | null>((done) => daemon.once('exit', (code) => done(code)));
    daemon.kill('SIGTERM');
    return exited;
  }

  /** Calls the emulator's control endpoint from inside the namespace with curl. */
  async control<T>(method: string, path: string, body?: unknown): Promise<T> {
    const args = [
      '-sS',
      '--fail-with-body',
      '-X',
      method,
      `http://127.0.0.1:${ECS_PORT}/_emulator/${path}`,
    ];
    if (body !== undefined)
      args.push('-H', 'content-type: application/json', '-d', JSON.stringify(body));
    const { stdout } = await this.namespace.exec('curl', args);
    return JSON.parse(stdout) as T;
  }

  /** The daemon's log lines, parsed as NDJSON. */
  logRecords(): Record<string, unknown>[] {
    return this.daemonLog.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }

  /** Waits until a condition on the daemon's status holds. */
  async waitFor<T>(
    probe: () => Promise<T | undefined>,
    timeoutMs: number,
    what: string,
  ): Promise<T> {
    return waitUntil(probe, timeoutMs, what);
  }

  /** Stops both processes and removes the namespace and the temporary folder. */
  async stop(): Promise<void> {
    await this.stopDaemon().catch(() => undefined);
    this.emulator.kill('SIGTERM');
    await this.namespace.delete();
    await rm(this.folder, { recursive: true, force: true });
  }

  private async writeConfig(options: FixtureOptions): Promise<void> {
    const config = {
      ecs: { endpoint: `127.0.0.1:${ECS_PORT}`, protocol: 'http' },
      socket: { path: this.socketPath, group: null },
      stateDir: join(this.folder, 'state'),
      log: { level: 'debug' },
      policies: options.policies,
      ...(options.triggers === undefined ? {} : { triggers: options.triggers }),
    };
    await writeFile(this.configPath, stringify(config));
  }
}
