import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  EcsClient,
  type ApiCallRecord,
  type Clock,
  type RetryPolicy,
} from '../../src/cloud/index.js';
import { parseConfig, type SelfsnapConfig } from '../../src/config/index.js';
import { createRamRoleCredentials, type RamRoleCredentials } from '../../src/credentials/index.js';
import { createLogger, type Logger } from '../../src/log/index.js';
import {
  discoverIdentity,
  MetadataClient,
  type InstanceIdentity,
} from '../../src/metadata/index.js';
import {
  RunManager,
  type RunManagerContext,
  type RunManagerOptions,
} from '../../src/snapshot/index.js';
import { StateStore } from '../../src/state/index.js';
import { startEmulator, type Emulator, type Scenario } from '../emulator/index.js';

/** Log lines captured as parsed NDJSON records. */
export class LogCapture {
  readonly records: Record<string, unknown>[] = [];
  readonly logger: Logger;

  constructor() {
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        for (const line of chunk.toString().split('\n')) {
          if (line.trim() !== '') this.records.push(JSON.parse(line) as Record<string, unknown>);
        }
        done();
      },
    });
    this.logger = createLogger({ level: 'debug', destination: sink });
  }

  /** Returns the records whose `msg` matches. */
  find(message: string | RegExp): Record<string, unknown>[] {
    return this.records.filter((record) =>
      typeof message === 'string' ? record.msg === message : message.test(String(record.msg)),
    );
  }
}

/** What a harness may change. */
export interface HarnessOptions {
  scenario?: Scenario;
  /** Policies in config.yaml form; the default snapshots every disk. */
  policies?: Record<string, unknown>;
  retry?: Partial<RetryPolicy>;
  /** Builds the ECS client's clock, for example one that follows the emulator's. */
  clock?: (emulator: Emulator) => Clock;
  ecsTimeoutMs?: number;
}

/**
 * An emulator on loopback and selfsnap's own metadata, credential and ECS clients pointed at it,
 * with a state folder in a temporary directory and captured logs.
 */
export class EngineHarness {
  private readonly managers: RunManager[] = [];

  private constructor(
    readonly emulator: Emulator,
    readonly logs: LogCapture,
    /** Every ECS attempt the client made, as its `onCall` saw it. */
    readonly calls: ApiCallRecord[],
    readonly config: SelfsnapConfig,
    readonly metadata: MetadataClient,
    readonly credentials: RamRoleCredentials,
    readonly ecs: EcsClient,
    readonly identity: InstanceIdentity,
    readonly folder: string,
  ) {}

  /** Starts the emulator and connects the clients. */
  static async start(options: HarnessOptions = {}): Promise<EngineHarness> {
    const emulator = await startEmulator({ scenario: options.scenario ?? {} });
    const folder = await mkdtemp(join(tmpdir(), 'selfsnap-engine-'));
    const config = parseConfig(
      JSON.stringify({
        metadata: { endpoint: emulator.imdsUrl, timeout: '1s', retries: 1 },
        ecs: { endpoint: emulator.ecsEndpoint, protocol: 'http' },
        stateDir: join(folder, 'state'),
        policies: options.policies ?? { manual: { disks: 'all' } },
      }),
    );
    const metadata = new MetadataClient({
      endpoint: config.metadata.endpoint,
      tokenTtlSeconds: config.metadata.tokenTtlSeconds,
      allowTokenless: false,
      timeoutMs: config.metadata.timeout,
      retries: config.metadata.retries,
    });
    const credentials = createRamRoleCredentials(
      { metadataEndpoint: config.metadata.endpoint, allowTokenless: false, timeoutMs: 1000 },
      metadata,
    );
    const identity = await discoverIdentity(metadata);
    const calls: ApiCallRecord[] = [];
    const logs = new LogCapture();
    const ecs = new EcsClient({
      regionId: identity.regionId,
      endpoint: emulator.ecsEndpoint,
      protocol: 'http',
      timeoutMs: options.ecsTimeoutMs ?? 2000,
      credentials,
      retry: { baseDelayMs: 20, maxDelayMs: 200, processingDelayMs: 50, ...options.retry },
      clock: options.clock?.(emulator),
      logger: logs.logger,
      onCall: (call) => calls.push(call),
    });
    return new EngineHarness(
      emulator,
      logs,
      calls,
      config,
      metadata,
      credentials,
      ecs,
      identity,
      folder,
    );
  }

  /** Creates a run manager over this harness's state folder, with fast polling by default. */
  async createManager(
    context: Partial<RunManagerContext> = {},
    options: RunManagerOptions = {},
  ): Promise<RunManager> {
    const state = new StateStore(this.config.stateDir, this.logs.logger);
    await state.init();
    const manager = new RunManager(
      this.config,
      state,
      {
        ecs: this.ecs,
        identity: this.identity,
        logger: this.logs.logger,
        pollIntervalMs: { initial: 100, max: 300 },
        ...context,
      },
      this.logs.logger,
      options,
    );
    await manager.restore();
    this.managers.push(manager);
    return manager;
  }

  /** Stops the run managers and the emulator, then removes the temporary folder. */
  async close(): Promise<void> {
    for (const manager of this.managers) await manager.stop(5000);
    await this.emulator.close();
    await rm(this.folder, { recursive: true, force: true });
  }
}

/**
 * A clock that follows the emulator's: `now` is the emulated time and `sleep` lasts the emulated
 * duration, so flow-control minutes pass at the emulator's speed.
 */
export function followEmulatorClock(emulator: Emulator): Clock {
  return {
    now: () => Date.parse(emulator.control.clock().now),
    sleep: (ms, signal) => {
      const speed = emulator.control.clock().speed;
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, speed > 0 ? ms / speed : ms);
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
