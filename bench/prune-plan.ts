/**
 * Measures retention planning. Run by hand (`npx tsx bench/prune-plan.ts [snapshots] [runs]`,
 * defaults 10000 and 7) it prints the median CPU time of planPrune over synthetic snapshots at
 * four growing sizes, whose ratio between sizes shows how the planner scales, and the peak RSS.
 *
 * Figure P5 of bench/run.ts runs it as a plain-node subprocess with SELFSNAP_BENCH_PRUNE set to
 * an emulator seeded with selfsnap's snapshots. It then first times the daemon's own prune dry
 * run (pruneOnRequest: DescribeDisks, the listing of every page, the plan) and reads the peak RSS,
 * then measures the scaling, and prints all of it as one JSON line.
 */
import type { Snapshot } from '../src/cloud/index.js';
import { parseConfig } from '../src/config/index.js';
import { planPrune, pruneOnRequest, type PruneInput } from '../src/retention/index.js';
import { connectEcs, LogRecorder } from './support/engine.js';

const INSTANCE_ID = 'i-bp1benchmark';
const POLICY = 'hourly';
const DISK_COUNT = 4;
const HOUR_MS = 3_600_000;
const NOW_MS = Date.parse('2026-12-04T12:00:00Z');
const RULES = {
  keepLast: 24,
  hourly: 48,
  daily: 14,
  weekly: 8,
  monthly: 12,
  yearly: 3,
  maxAge: 400 * 24 * HOUR_MS,
  minKeep: 2,
};

/** The emulator of figure P5 and the instance whose snapshots it holds. */
interface PruneTarget {
  imdsUrl: string;
  ecsEndpoint: string;
  instanceId: string;
  regionId: string;
  zoneId: string;
  runs: number;
}

/** Builds `count` snapshots over DISK_COUNT disks, one an hour per disk, with every 50th foreign. */
function buildSnapshots(count: number): Snapshot[] {
  return Array.from({ length: count }, (_, index) => {
    const diskIndex = index % DISK_COUNT;
    const hoursAgo = Math.floor(index / DISK_COUNT);
    const foreign = index % 50 === 0;
    return {
      snapshotId: `s-bench${String(index).padStart(6, '0')}`,
      snapshotName: `selfsnap-${POLICY}-${index}`,
      description: 'selfsnap schedule',
      status: index % 97 === 0 ? 'failed' : 'accomplished',
      progress: 100,
      available: true,
      creationTime: new Date(NOW_MS - hoursAgo * HOUR_MS).toISOString().replace('.000Z', 'Z'),
      sourceDiskId: `d-bp1bench${diskIndex}`,
      sourceDiskType: 'data',
      snapshotType: 'user',
      tags: {
        'selfsnap:instance': foreign ? 'i-bp1other' : INSTANCE_ID,
        'selfsnap:policy': POLICY,
      },
    };
  });
}

function buildInput(snapshots: Snapshot[]): PruneInput {
  return {
    snapshots,
    rules: RULES,
    timezone: 'Europe/Berlin',
    now: new Date(NOW_MS),
    instanceId: INSTANCE_ID,
    policy: POLICY,
    pinnedSnapshotIds: new Set(['s-bench000007']),
    undeletableSnapshotIds: new Set(['s-bench000011']),
    // The last disk is gone, so its series follows the orphans rule.
    existingDiskIds: new Set(
      Array.from({ length: DISK_COUNT - 1 }, (_, index) => `d-bp1bench${index}`),
    ),
  };
}

function medianOf(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Measures the CPU milliseconds (user + system) of an async step, `runs` times. */
async function measureCpuMs<T>(runs: number, step: () => T | Promise<T>) {
  const samples: number[] = [];
  let result: T | undefined;
  let firstPeakKiB = 0;
  for (let run = 0; run < runs; run++) {
    const before = process.cpuUsage();
    result = await step();
    const used = process.cpuUsage(before);
    samples.push((used.user + used.system) / 1000);
    if (run === 0) firstPeakKiB = process.resourceUsage().maxRSS;
  }
  return { medianMs: medianOf(samples), firstMs: samples[0] as number, firstPeakKiB, result };
}

/** Plans at four sizes up to `largest`, after a warm-up that loads ICU's timezone data. */
async function measureScaling(largest: number, runs: number) {
  await measureCpuMs(3, () => planPrune(buildInput(buildSnapshots(1000))));
  const sizes = [largest / 8, largest / 4, largest / 2, largest].map(Math.round);
  const results = [];
  for (const size of sizes) {
    const input = buildInput(buildSnapshots(size));
    const { medianMs, result } = await measureCpuMs(runs, () => planPrune(input));
    const deleted = (result?.entries ?? []).filter((entry) => entry.action === 'delete').length;
    results.push({ size, medianMs, deleted });
  }
  return results;
}

/** Times the daemon's prune dry run against the emulator and reads the peak RSS after it. */
async function measurePrunePass(target: PruneTarget) {
  const logs = new LogRecorder('warn');
  const ecs = connectEcs({ ...target, logger: logs.logger });
  const { policies } = parseConfig(
    JSON.stringify({
      policies: {
        [POLICY]: { retention: { ...RULES, maxAge: '400d' }, timezone: 'Europe/Berlin' },
      },
    }),
  );
  const undeletable = { heldAt: () => new Set<string>(), update: async () => undefined };
  const loadedKiB = process.resourceUsage().maxRSS;
  const pass = () =>
    pruneOnRequest(
      { policy: POLICY, dryRun: true },
      { ecs, logger: logs.logger, undeletable, instanceId: target.instanceId, policies },
    );
  const { medianMs, firstMs, firstPeakKiB, result } = await measureCpuMs(target.runs, pass);
  const entries = result?.policies[0]?.entries ?? [];
  return {
    cpuMs: medianMs,
    firstCpuMs: firstMs,
    firstPeakKiB,
    peakKiB: process.resourceUsage().maxRSS,
    loadedKiB,
    planned: entries.length,
    deleted: entries.filter((entry) => entry.action === 'delete').length,
    problems: logs.problems(),
  };
}

async function main(): Promise<void> {
  const target = process.env.SELFSNAP_BENCH_PRUNE;
  if (target !== undefined) {
    const prunePass = await measurePrunePass(JSON.parse(target) as PruneTarget);
    const scaling = await measureScaling(10_000, 7);
    process.stdout.write(`${JSON.stringify({ prunePass, scaling, node: process.version })}\n`);
    return;
  }

  const largest = Number(process.argv[2] ?? 10_000);
  const runs = Number(process.argv[3] ?? 7);
  if (!Number.isInteger(largest) || largest < 8 || !Number.isInteger(runs) || runs < 1) {
    console.error('usage: tsx bench/prune-plan.ts [snapshots >= 8] [runs >= 1]');
    process.exitCode = 2;
    return;
  }
  console.log(`planPrune, median CPU of ${runs} runs, node ${process.version}`);
  let previous: number | undefined;
  for (const { size, medianMs, deleted } of await measureScaling(largest, runs)) {
    const ratio =
      previous === undefined ? '' : `  x${(medianMs / previous).toFixed(2)} for x2 input`;
    console.log(
      `${String(size).padStart(7)} snapshots  ${medianMs.toFixed(1).padStart(7)} ms CPU  ${String(deleted).padStart(6)} to delete${ratio}`,
    );
    previous = medianMs;
  }
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MiB`);
}

await main();
