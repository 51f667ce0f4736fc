import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { EcsClient } from '../../src/cloud/index.js';
import { parseConfig } from '../../src/config/index.js';
import { createRamRoleCredentials } from '../../src/credentials/index.js';
import { createLogger } from '../../src/log/index.js';
import { discoverIdentity, MetadataClient } from '../../src/metadata/index.js';
import { RetentionService } from '../../src/retention/index.js';
import { RunManager } from '../../src/snapshot/index.js';
import { StateStore } from '../../src/state/index.js';
import type { Scenario } from '../emulator/index.js';
import { EmulatorProcess } from '../support/emulator-process.js';

/** The run engine as the daemon composes it, against an emulator in another process. */
export interface SoakStack {
  emulator: EmulatorProcess;
  manager: RunManager;
  stateDir: string;
  logFile: string;
  close(): Promise<void>;
}

// Retries fast enough for thousands of runs; the daemon's own waits are seconds to a minute.
const FAST_RETRY = {
  baseDelayMs: 20,
  maxDelayMs: 200,
  flowControlWindowMs: 200,
  throttleJitterMs: 50,
  processingDelayMs: 50,
};

/**
 * Starts the emulator process and, in this process, selfsnap's metadata, credential and ECS
 * clients, state store, retention service and run manager, wired as src/daemon.ts wires them,
 * with polling and retries shortened. Logs go to a file, not to memory.
 */
export async function startSoakStack(
  folder: string,
  policies: Record<string, unknown>,
  scenario: Scenario,
): Promise<SoakStack> {
  const emulator = await EmulatorProcess.start(folder, scenario);
  const stateDir = join(folder, 'state');
  const logFile = join(folder, 'selfsnap.log');
  const stream: WriteStream = createWriteStream(logFile);
  try {
    const config = parseConfig(
      JSON.stringify({
        metadata: { endpoint: emulator.imdsUrl, timeout: '2s' },
        ecs: { endpoint: emulator.ecsEndpoint, protocol: 'http', timeout: '3s' },
        stateDir,
        policies,
      }),
      'soak config',
    );
    const logger = createLogger({ level: 'info', destination: stream });
    const metadata = new MetadataClient({
      endpoint: config.metadata.endpoint,
      tokenTtlSeconds: config.metadata.tokenTtlSeconds,
      allowTokenless: false,
      timeoutMs: config.metadata.timeout,
      retries: config.metadata.retries,
    });
    const credentials = createRamRoleCredentials(
      { metadataEndpoint: config.metadata.endpoint, allowTokenless: false, timeoutMs: 2000 },
      metadata,
    );
    const identity = await discoverIdentity(metadata);
    const ecs = new EcsClient({
      regionId: identity.regionId,
      endpoint: config.ecs.endpoint,
      protocol: 'http',
      timeoutMs: config.ecs.timeout,
      credentials,
      retry: FAST_RETRY,
      logger: logger.child({ component: 'ecs' }),
    });
    const state = new StateStore(stateDir, logger.child({ component: 'state' }));
    await state.init();
    const retention = await RetentionService.open(stateDir, {
      ecs,
      instanceId: identity.instanceId,
      policies: config.policies,
      logger,
    });
    const manager = new RunManager(
      config,
      state,
      {
        ecs,
        identity,
        logger: logger.child({ component: 'run' }),
        pollIntervalMs: { initial: 20, max: 100 },
        hooks: { prune: (run, policy) => retention.pruneRun(run, policy) },
      },
      logger,
    );
    await manager.restore();
    const close = async () => {
      await manager.stop(10_000);
      await new Promise((done) => stream.end(done));
      await emulator.close();
    };
    return { emulator, manager, stateDir, logFile, close };
  } catch (error) {
    stream.end();
    await emulator.close();
    throw error;
  }
}
