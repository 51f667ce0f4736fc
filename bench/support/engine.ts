import { mkdir } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { EcsClient, type Clock } from '../../src/cloud/index.js';
import { parseConfig } from '../../src/config/index.js';
import { createRamRoleCredentials, type RamRoleCredentials } from '../../src/credentials/index.js';
import { createLogger, type Logger } from '../../src/log/index.js';
import { MetadataClient, type InstanceIdentity } from '../../src/metadata/index.js';
import { RunManager, type RunHooks, type PollIntervals } from '../../src/snapshot/index.js';
import { StateStore } from '../../src/state/index.js';

/** Parsed log records of the engine, for the notes and for figures read from the logs. */
export class LogRecorder {
  readonly records: Record<string, unknown>[] = [];
  readonly logger: Logger;

  constructor(level: 'info' | 'warn') {
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        for (const line of chunk.toString().split('\n')) {
          if (line.trim() !== '') this.records.push(JSON.parse(line) as Record<string, unknown>);
        }
        done();
      },
    });
    this.logger = createLogger({ level, destination: sink });
  }

  /** Returns the records with this message. */
  find(message: string): Record<string, unknown>[] {
    return this.records.filter((record) => record.msg === message);
  }

  /** Lists the warning and error messages with their counts, most frequent first. */
  problems(): string {
    const counts = new Map<string, number>();
    for (const record of this.records) {
      // pino levels: 40 is warn, 50 error.
      if (Number(record.level) < 40) continue;
      const error = record.err as { code?: string; ecsCode?: string } | undefined;
      const codes = [error?.code, error?.ecsCode].filter((code) => code !== undefined);
      const message = `${String(record.msg)}${codes.length > 0 ? ` (${codes.join(', ')})` : ''}`;
      counts.set(message, (counts.get(message) ?? 0) + 1);
    }
    const entries = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    return entries.map(([message, count]) => `"${message}" x${count}`).join(', ') || 'none';
  }
}

/** Settings of one agent: endpoints, identity, state folder, policies and clock. */
export interface AgentSettings {
  imdsUrl: string;
  ecsEndpoint: string;
  identity: InstanceIdentity;
  stateDir: string;
  /** Policies in config.yaml form. */
  policies: Record<string, unknown>;
  logger: Logger;
  /** Time source of polling and of the ECS client's backoff; the system clock by default. */
  clock?: Clock;
  hooks?: RunHooks;
  pollIntervalMs?: PollIntervals;
  /** Shared credentials, as if every agent's metadata service returned the same role set. */
  credentials?: RamRoleCredentials;
  /** Connect and read timeout of each ECS call; default 10 s. */
  ecsTimeoutMs?: number;
}

/** Settings of an ECS client: endpoints, region, logger, clock and timeout. */
export interface EcsSettings {
  imdsUrl: string;
  ecsEndpoint: string;
  regionId: string;
  logger: Logger;
  /** Time source of backoff and flow-control waits; the system clock by default. */
  clock?: Clock;
  /** Shared credentials; by default the client reads its own from the metadata service. */
  credentials?: RamRoleCredentials;
  /** Connect and read timeout of each call; default 10 s, the `ecs.timeout` default. */
  timeoutMs?: number;
}

/** Creates the daemon's EcsClient (openapi-core, RAM-role credentials) for an emulator. */
export function connectEcs(settings: EcsSettings): EcsClient {
  return new EcsClient({
    regionId: settings.regionId,
    endpoint: settings.ecsEndpoint,
    protocol: 'http',
    timeoutMs: settings.timeoutMs ?? 10_000,
    credentials: settings.credentials ?? createCredentials(settings.imdsUrl),
    clock: settings.clock,
    logger: settings.logger,
  });
}

/**
 * Builds what the daemon builds for its runs: RAM-role credentials from the metadata service,
 * the openapi-core EcsClient, a state folder and a RunManager. The socket and the scheduler are
 * left out, so that a benchmark drives the daemon's own engine code in process.
 */
export async function createAgent(
  settings: AgentSettings,
): Promise<{ runs: RunManager; ecs: EcsClient }> {
  const config = parseConfig(
    JSON.stringify({
      metadata: { endpoint: settings.imdsUrl },
      ecs: { endpoint: settings.ecsEndpoint, protocol: 'http' },
      stateDir: settings.stateDir,
      policies: settings.policies,
    }),
  );
  const ecs = connectEcs({
    ...settings,
    regionId: settings.identity.regionId,
    timeoutMs: settings.ecsTimeoutMs,
  });
  await mkdir(settings.stateDir, { recursive: true });
  const state = new StateStore(config.stateDir, settings.logger);
  await state.init();
  const runs = new RunManager(
    config,
    state,
    {
      ecs,
      identity: settings.identity,
      logger: settings.logger,
      clock: settings.clock,
      hooks: settings.hooks,
      pollIntervalMs: settings.pollIntervalMs,
      groupDiskLimit: config.ecs.snapshotGroupDiskLimit,
    },
    settings.logger,
  );
  await runs.restore();
  return { runs, ecs };
}

/** Creates RAM-role credentials read from a metadata service on loopback, as the daemon does. */
export function createCredentials(imdsUrl: string): RamRoleCredentials {
  const metadata = new MetadataClient({
    endpoint: imdsUrl,
    tokenTtlSeconds: 21_600,
    allowTokenless: false,
    timeoutMs: 10_000,
    retries: 2,
  });
  return createRamRoleCredentials(
    { metadataEndpoint: imdsUrl, allowTokenless: false, timeoutMs: 10_000 },
    metadata,
  );
}
