/**
 * Measures planPrune over synthetic snapshots at four growing sizes. It prints the median CPU
 * time per plan, whose ratio between sizes shows how the planner scales, and the peak RSS.
 *
 * Run with `npx tsx bench/prune-plan.ts [snapshots] [runs]` (defaults 10000 and 7).
 */
import type { Snapshot } from '../src/cloud/index.js';
import { planPrune, type PruneInput } from '../src/retention/index.js';

const INSTANCE_ID = 'i-bp1benchmark';
const POLICY = 'hourly';
const DISK_COUNT = 4;
const HOUR_MS = 3_600_000;
const NOW_MS = Date.parse('2026-12-04T12:00:00Z');

/** Builds `count` snapshots over DISK_COUNT disks, one an hour per disk, every 50th foreign. */
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
    rules: {
      keepLast: 24,
      hourly: 48,
      daily: 14,
      weekly: 8,
      monthly: 12,
      yearly: 3,
      maxAge: 400 * 24 * HOUR_MS,
      minKeep: 2,
    },
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

/** Measures the median CPU milliseconds (user + system) of `runs` plans of the same input. */
function measureCpuMs(input: PruneInput, runs: number): { medianMs: number; deleted: number } {
  const samples: number[] = [];
  let deleted = 0;
  for (let run = 0; run < runs; run++) {
    const before = process.cpuUsage();
    const plan = planPrune(input);
    const used = process.cpuUsage(before);
    samples.push((used.user + used.system) / 1000);
    deleted = plan.entries.filter((entry) => entry.action === 'delete').length;
  }
  samples.sort((a, b) => a - b);
  return { medianMs: samples[Math.floor(samples.length / 2)] as number, deleted };
}

function main(): void {
  const largest = Number(process.argv[2] ?? 10_000);
  const runs = Number(process.argv[3] ?? 7);
  if (!Number.isInteger(largest) || largest < 8 || !Number.isInteger(runs) || runs < 1) {
    console.error('usage: tsx bench/prune-plan.ts [snapshots >= 8] [runs >= 1]');
    process.exitCode = 2;
    return;
  }

  // maxRSS is in kibibytes on Linux; this is the baseline of the runtime and the loaded modules.
  const loadedRssMiB = process.resourceUsage().maxRSS / 1024;

  // Warm up the JIT and load ICU's timezone data, so that the first size is not penalized.
  measureCpuMs(buildInput(buildSnapshots(1000)), 3);

  console.log(`planPrune, median CPU of ${runs} runs, node ${process.version}`);
  let previous: number | undefined;
  for (const size of [largest / 8, largest / 4, largest / 2, largest].map(Math.round)) {
    const { medianMs, deleted } = measureCpuMs(buildInput(buildSnapshots(size)), runs);
    const ratio =
      previous === undefined ? '' : `  x${(medianMs / previous).toFixed(2)} for x2 input`;
    const columns = [
      `${String(size).padStart(7)} snapshots`,
      `${medianMs.toFixed(1).padStart(7)} ms CPU`,
      `${String(deleted).padStart(6)} to delete${ratio}`,
    ];
    console.log(columns.join('  '));
    previous = medianMs;
  }
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  console.log(
    `peak RSS ${peakRssMiB.toFixed(1)} MiB (${loadedRssMiB.toFixed(1)} MiB after loading)`,
  );
}

main();
