/**
 * The agents of figure P6, in one process: for each simulated instance, the daemon's own
 * Scheduler (node-cron with the per-instance jitter) triggers the daemon's own RunManager, whose
 * EcsClient calls the shared emulator. bench/run.ts starts this script with fast-clock.mjs, so
 * every timer, wait and signature follows the emulator's clock.
 *
 * Input: SELFSNAP_BENCH_FLEET (JSON, see FleetInput). Output: one JSON line with each agent's
 * scheduled run and the warnings the engine logged.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseConfig } from '../src/config/index.js';
import { Scheduler } from '../src/schedule/index.js';
import type { RunManager, RunRecord } from '../src/snapshot/index.js';
import { createAgent, createCredentials, LogRecorder } from './support/engine.js';

/** The input of the agents: emulator, instances, policy and deadline. */
interface FleetInput {
  imdsUrl: string;
  ecsEndpoint: string;
  regionId: string;
  zoneId: string;
  instanceIds: string[];
  /** The policy every agent has, in config.yaml form. */
  policy: Record<string, unknown>;
  stateRoot: string;
  /** Emulated time by which every run must have ended. */
  deadlineMs: number;
  /** ECS call timeout in emulated time, so that it lasts the daemon's 10 s in real time. */
  ecsTimeoutMs: number;
}

/** One agent's scheduled run, as the figure reads it. */
interface AgentOutcome {
  instanceId: string;
  status: string;
  startedAt?: string;
  acceptedAt?: string;
  failedDisks: number;
}

const POLICY = 'fleet';
const input = JSON.parse(process.env.SELFSNAP_BENCH_FLEET ?? '{}') as FleetInput;
const logs = new LogRecorder('warn');
// One credential set for all: each agent's metadata service would return its own, which changes
// no ECS call and saves a thousand metadata round trips.
const credentials = createCredentials(input.imdsUrl);
const { policies } = parseConfig(JSON.stringify({ policies: { [POLICY]: input.policy } }));

/** Creates one agent and waits for its first scheduled run to end. */
async function runAgent(instanceId: string, index: number): Promise<() => Promise<AgentOutcome>> {
  const stateDir = join(input.stateRoot, String(index));
  await mkdir(stateDir, { recursive: true });
  const { runs } = await createAgent({
    imdsUrl: input.imdsUrl,
    ecsEndpoint: input.ecsEndpoint,
    identity: { instanceId, regionId: input.regionId, zoneId: input.zoneId, hostname: instanceId },
    stateDir,
    policies: { [POLICY]: input.policy },
    logger: logs.logger,
    credentials,
    ecsTimeoutMs: input.ecsTimeoutMs,
  });
  const finished = waitForScheduledRun(runs);
  const scheduler = new Scheduler(
    policies,
    instanceId,
    (policy) => {
      runs.trigger({ policy, trigger: 'schedule' }).catch((error: unknown) => {
        logs.logger.error({ err: error, instanceId }, 'scheduled run not started');
      });
    },
    logs.logger,
  );
  scheduler.start();
  return async () => {
    const run = await finished;
    await scheduler.stop();
    return {
      instanceId,
      status: run?.status ?? 'not finished',
      startedAt: run?.startedAt,
      acceptedAt: run?.acceptedAt,
      failedDisks: run?.disks.filter((disk) => disk.status !== 'accomplished').length ?? 0,
    };
  };
}

/** Resolves with the first scheduled run that ends, or undefined at the deadline. */
function waitForScheduledRun(runs: RunManager): Promise<RunRecord | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(undefined), input.deadlineMs - Date.now());
    const stop = runs.subscribe((run) => {
      if (run.trigger === 'schedule' && run.status !== 'running') finish(run);
    });
    function finish(run: RunRecord | undefined) {
      clearTimeout(timer);
      stop();
      resolve(run);
    }
  });
}

async function main(): Promise<void> {
  const collectors = [];
  for (const [index, instanceId] of input.instanceIds.entries()) {
    collectors.push(await runAgent(instanceId, index));
  }
  const readyAt = new Date().toISOString();
  const agents = await Promise.all(collectors.map((collect) => collect()));
  process.stdout.write(`${JSON.stringify({ readyAt, agents, problems: logs.problems() })}\n`);
  // Keep-alive sockets and the credential cache would hold the process open.
  process.exit(0);
}

await main();
