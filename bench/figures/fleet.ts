import { mkdtemp, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { startEmulator, type Emulator, type Scenario } from '../../test/emulator/index.js';
import { alignedClock } from '../support/bench-emulator.js';
import { bundleScript } from '../support/bundle.js';
import { FAST_CLOCK_PATH } from '../support/daemon-process.js';
import { runChecked } from '../support/proc.js';
import type { BenchOptions, FigureResult } from '../support/report.js';
import { formatRatio, median } from '../support/stats.js';

const AGENTS = 1000;
const DISKS_PER_AGENT = 2;
// CreateSnapshot calls per minute for the whole account. At 200, 2,000 snapshots need 10 minutes,
// as long as the jitter window. At 100 they need 20, so the calls of the first ten minutes pile up.
const CREATE_LIMITS = [200, 100];
const JITTER = '10m';
// Emulated seconds per real second.
const CLOCK_SPEED = 20;
const SLOT_MS = Date.UTC(2026, 11, 5, 3, 0, 0);
// The emulated clock starts this long before the slot, time for the agents to start.
const LEAD_MS = 5 * 60_000;
const MINUTE_MS = 60_000;
const MAKESPAN_LIMIT = 1.2;

/** The JSON line that bench/fleet-agents.ts prints. */
interface AgentsReport {
  readyAt: string;
  agents: { instanceId: string; status: string; acceptedAt?: string; failedDisks: number }[];
  problems: string;
}

/** One simulation's outcome, from the emulator's side. */
interface FleetOutcome {
  created: number;
  duplicates: number;
  makespanMs: number;
  throttled: number;
  accepted: number;
  readyBeforeSlotMs: number;
  statuses: string;
  problems: string;
}

/**
 * P6: a fleet of agents with one cron slot and a 10-minute jitter against one emulator that
 * limits CreateSnapshot calls per minute: coverage, duplicates and makespan, by limit.
 */
export async function measureFleet(options: BenchOptions): Promise<FigureResult> {
  const reps = options.full ? 3 : 1;
  const limits = options.full ? CREATE_LIMITS : CREATE_LIMITS.slice(0, 1);
  const script = await bundleScript(resolve(import.meta.dirname, '../fleet-agents.ts'));
  const results: FigureResult[] = [];
  for (const limit of limits) {
    const outcomes: FleetOutcome[] = [];
    for (let rep = 0; rep < reps; rep++) {
      options.log(`P6: ${AGENTS} agents, ${limit} creates a minute, run ${rep + 1} of ${reps}`);
      outcomes.push(await simulate(script, limit));
    }
    results.push(summarize(outcomes, limit));
  }
  return {
    rows: results.flatMap((result) => result.rows),
    notes: [describeMethod(), ...results.flatMap((result) => result.notes)],
  };
}

function instanceIdOf(index: number): string {
  return `i-bp1fleet${String(index).padStart(10, '0')}`;
}

function fleetScenario(limit: number): Scenario {
  const disks = Array.from({ length: AGENTS * DISKS_PER_AGENT }, (_, index) => ({
    diskId: `d-bp1fleet${String(index).padStart(10, '0')}`,
    type: index % DISKS_PER_AGENT === 0 ? ('system' as const) : ('data' as const),
    category: 'cloud_essd',
    instanceId: instanceIdOf(Math.floor(index / DISKS_PER_AGENT)),
  }));
  return {
    disks,
    settings: {
      snapshotDuration: '30s',
      flowControlPerMinute: { CreateSnapshot: limit },
      requestLogLimit: 500_000,
    },
  };
}

async function simulate(script: string, limit: number): Promise<FleetOutcome> {
  const emulator = await startEmulator({ scenario: fleetScenario(limit) });
  // tmpfs: a thousand agents syncing their state files to one disk would measure that disk.
  const stateRoot = await mkdtemp('/dev/shm/selfsnap-bench-fleet-');
  try {
    emulator.control.setClock({ offsetMs: SLOT_MS - LEAD_MS - Date.now(), speed: CLOCK_SPEED });
    const input = {
      imdsUrl: emulator.imdsUrl,
      ecsEndpoint: emulator.ecsEndpoint,
      regionId: emulator.instance.regionId,
      zoneId: emulator.instance.zoneId,
      instanceIds: Array.from({ length: AGENTS }, (_, index) => instanceIdOf(index)),
      policy: { schedule: '0 0 3 * * *', timezone: 'UTC', jitter: JITTER, disks: 'all' },
      stateRoot,
      deadlineMs: SLOT_MS + 60 * MINUTE_MS,
      // The SDK's read timeout is a timer, so on the agents' clock it would pass CLOCK_SPEED
      // times faster than on the daemon's. This keeps it at the daemon's 10 s of real time.
      ecsTimeoutMs: 10_000 * CLOCK_SPEED,
    };
    const { stdout } = await runChecked(process.execPath, ['--import', FAST_CLOCK_PATH, script], {
      env: {
        ...process.env,
        SELFSNAP_BENCH_CLOCK: JSON.stringify(alignedClock(emulator)),
        SELFSNAP_BENCH_FLEET: JSON.stringify(input),
      },
    });
    const report = JSON.parse(stdout.trim().split('\n').pop() as string) as AgentsReport;
    return readOutcome(emulator, report);
  } finally {
    await emulator.close();
    await rm(stateRoot, { recursive: true, force: true });
  }
}

function readOutcome(emulator: Emulator, report: AgentsReport): FleetOutcome {
  const creates = emulator.control.requests({ action: 'CreateSnapshot' });
  const accepted = creates.filter((request) => request.httpStatus === 200);
  const lastAcceptedMs = Math.max(...accepted.map((request) => Date.parse(request.receivedAt)));
  const perDisk = new Map<string, number>();
  for (const snapshot of emulator.control.snapshots()) {
    perDisk.set(snapshot.sourceDiskId, (perDisk.get(snapshot.sourceDiskId) ?? 0) + 1);
  }
  const statuses = new Map<string, number>();
  for (const agent of report.agents) {
    statuses.set(agent.status, (statuses.get(agent.status) ?? 0) + 1);
  }
  return {
    created: perDisk.size,
    duplicates: [...perDisk.values()].reduce((sum, count) => sum + count - 1, 0),
    makespanMs: lastAcceptedMs - SLOT_MS,
    throttled: creates.filter((request) => request.errorCode?.startsWith('Throttling')).length,
    accepted: accepted.length,
    readyBeforeSlotMs: SLOT_MS - Date.parse(report.readyAt),
    statuses: [...statuses.entries()].map(([status, count]) => `${status} ${count}`).join(', '),
    problems: report.problems,
  };
}

function describeMethod(): string {
  return `${AGENTS} agents with ${DISKS_PER_AGENT} disks each run in one plain-node subprocess (bench/fleet-agents.ts), each with the daemon's own Scheduler (node-cron, slot \`0 0 3 * * *\` UTC, jitter ${JITTER} derived from the instance id) and RunManager with its openapi-core EcsClient and default retry policy. One in-process emulator holds all ${AGENTS * DISKS_PER_AGENT} disks, each attached to its agent's instance id, since DescribeDisks filters by InstanceId, and limits CreateSnapshot calls per emulated minute for the whole account. Snapshots take 30 s of emulated time. The emulated clock runs x${CLOCK_SPEED}, and fast-clock.mjs gives the agents' process the same clock, so cron, jitter, flow-control retries (the next minute plus up to 15 s) and signatures all follow it. The SDK's read timeout is a timer too, so the agents get ${CLOCK_SPEED} times the daemon's 10 s default, which lasts 10 s of real time. Makespan is the emulator's receive time of the last accepted CreateSnapshot minus the slot; the minimum is the number of snapshots over the limit. State folders are on tmpfs.`;
}

function summarize(outcomes: FleetOutcome[], limit: number): FigureResult {
  const snapshots = AGENTS * DISKS_PER_AGENT;
  const minimumMs = (snapshots / limit) * MINUTE_MS;
  const makespanMs = median(outcomes.map((outcome) => outcome.makespanMs));
  const minutes = (ms: number) => `${(ms / MINUTE_MS).toFixed(1)} min`;
  const worstCreated = Math.min(...outcomes.map((outcome) => outcome.created));
  const duplicates = Math.max(...outcomes.map((outcome) => outcome.duplicates));
  const label = `${AGENTS} agents, ${limit}/min`;
  return {
    rows: [
      {
        id: 'P6',
        figure: `${label}: disks with a snapshot`,
        median: `${worstCreated}/${snapshots}`,
        baseline: '-',
        ratio: '-',
        target: '100%',
        met: worstCreated === snapshots,
      },
      {
        id: 'P6',
        figure: `${label}: duplicate snapshots`,
        median: String(duplicates),
        baseline: '-',
        ratio: '-',
        target: '0',
        met: duplicates === 0,
      },
      {
        id: 'P6',
        figure: `${label}: makespan, slot to last create`,
        median: minutes(makespanMs),
        baseline: `minimum ${minutes(minimumMs)}`,
        ratio: formatRatio(makespanMs / minimumMs),
        target: `<= ${formatRatio(MAKESPAN_LIMIT)}`,
        // A makespan counts only when every disk got its snapshot.
        met: worstCreated === snapshots && makespanMs <= minimumMs * MAKESPAN_LIMIT,
      },
    ],
    notes: outcomes.map(
      (outcome, index) =>
        `${limit} creates a minute, simulation ${index + 1} of ${outcomes.length}: agents ready ${minutes(outcome.readyBeforeSlotMs)} before the slot; ${outcome.accepted} creates accepted and ${outcome.throttled} throttled; runs: ${outcome.statuses}; makespan ${minutes(outcome.makespanMs)}. Engine warnings and errors: ${outcome.problems}.`,
    ),
  };
}
