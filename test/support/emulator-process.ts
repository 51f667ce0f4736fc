import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RecordedRequest, Scenario, SnapshotView } from '../emulator/index.js';
import { waitForLine } from './wait.js';

const EMULATOR_MAIN = resolve(import.meta.dirname, '../emulator/main.ts');

/**
 * The emulator in a child process on loopback, driven through its `/_emulator/` control endpoint.
 * A test that measures its own memory keeps the emulator's growing state out of its process.
 */
export class EmulatorProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly imdsUrl: string,
    readonly ecsEndpoint: string,
    readonly instanceId: string,
  ) {}

  /** Writes the scenario to `folder` and starts the emulator with it. */
  static async start(folder: string, scenario: Scenario): Promise<EmulatorProcess> {
    const scenarioPath = join(folder, 'scenario.json');
    await writeFile(scenarioPath, JSON.stringify(scenario));
    // Without the tsx wrapper process, a signal reaches the emulator itself.
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        EMULATOR_MAIN,
        '--imds',
        '127.0.0.1:0',
        '--ecs',
        '127.0.0.1:0',
        '--scenario',
        scenarioPath,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const line = await waitForLine(child, /emulator ready/, 20_000);
    const match = /imds=(\S+) ecs=http:\/\/(\S+) instance=(\S+)/.exec(line);
    if (match === null) throw new Error(`unexpected ready line: ${line}`);
    return new EmulatorProcess(child, match[1] as string, match[2] as string, match[3] as string);
  }

  /** Sends one control request and returns the parsed JSON answer. */
  async control<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`http://${this.ecsEndpoint}/_emulator/${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  }

  async snapshots(): Promise<SnapshotView[]> {
    return (await this.control<{ snapshots: SnapshotView[] }>('GET', 'snapshots')).snapshots;
  }

  /** Returns the ECS request log, security tokens redacted. */
  async requests(): Promise<RecordedRequest[]> {
    return (await this.control<{ requests: RecordedRequest[] }>('GET', 'requests')).requests;
  }

  async clearRequests(): Promise<void> {
    await this.control('DELETE', 'requests');
  }

  /** Stops the emulator and waits for it to exit. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((done) => this.child.once('exit', done));
    this.child.kill('SIGTERM');
    await exited;
  }
}
