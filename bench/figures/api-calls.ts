import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DEFAULT_POLL_INTERVALS } from '../../src/snapshot/index.js';
import type { Emulator } from '../../test/emulator/index.js';
import { alignedClock, baselineInput, startLatencyEmulator } from '../support/bench-emulator.js';
import { bundleScript } from '../support/bundle.js';
import { DaemonProcess, FAST_CLOCK_PATH } from '../support/daemon-process.js';
import { runChecked, waitFor } from '../support/proc.js';
import type { BenchOptions, FigureResult } from '../support/report.js';
import { formatRatio, median } from '../support/stats.js';

const DISKS = 16;
const SNAPSHOT_MINUTES = 10;
// Emulated seconds per real second: ten emulated minutes pass in ten real seconds.
const CLOCK_SPEED = 60;
// The run's cron slot, this long (emulated) after the daemon starts: six real seconds, since the
// daemon must have armed node-cron by then, even on a loaded machine.
const LEAD_MS = 6 * 60_000;
const SLOT = '0 0 3 * * *';

type CallCounts = Record<string, number>;

/**
 * P3: ECS calls of one scheduled run of 16 disks whose snapshots take ten emulated minutes,
 * counted by the emulator, against polling DescribeSnapshots once per snapshot.
 */
export async function measureApiCalls(options: BenchOptions): Promise<FigureResult> {
  const reps = options.full ? 3 : 1;
  const baseline = await bundleScript(
    resolve(import.meta.dirname, '../baselines/per-snapshot-polling.ts'),
  );
  const selfsnap: CallCounts[] = [];
  const perSnapshot: CallCounts[] = [];
  for (let rep = 0; rep < reps; rep++) {
    options.log(`P3: scheduled run ${rep + 1} of ${reps}`);
    const emulator = await startLatencyEmulator(DISKS, 0, {
      snapshotDuration: `${SNAPSHOT_MINUTES}m`,
    });
    try {
      selfsnap.push(await countScheduledRun(emulator, join(options.workDir, `run-${rep}`)));
      perSnapshot.push(await countPerSnapshotPolling(emulator, baseline));
    } finally {
      await emulator.close();
    }
  }
  return summarize(selfsnap, perSnapshot);
}

/** Starts the emulated clock shortly before the slot, at CLOCK_SPEED. */
function startClockBeforeSlot(emulator: Emulator): void {
  const slot = Date.UTC(2026, 11, 5, 3, 0, 0);
  emulator.control.setClock({ offsetMs: slot - LEAD_MS - Date.now(), speed: CLOCK_SPEED });
}

async function countScheduledRun(emulator: Emulator, folder: string): Promise<CallCounts> {
  await mkdir(folder, { recursive: true });
  startClockBeforeSlot(emulator);
  const daemon = await DaemonProcess.start({
    folder,
    emulator,
    policies: {
      nightly: { schedule: SLOT, timezone: 'UTC', disks: 'all', retention: { keepLast: 7 } },
    },
    // The daemon's clock is the emulator's: same start, same speed, so every timestamp agrees.
    clock: alignedClock(emulator),
    timeouts: { ecs: '120s', metadata: '60s' },
  });
  try {
    const finished = await waitFor(
      async () => {
        const { runs } = await daemon.call<{ runs: { trigger: string; status: string }[] }>(
          'GET',
          '/v1/runs?limit=5',
        );
        return runs.find((run) => run.trigger === 'schedule' && run.status !== 'running');
      },
      (LEAD_MS + SNAPSHOT_MINUTES * 60_000 * 2) / CLOCK_SPEED,
      'the scheduled run to finish',
      50,
    );
    if (finished.status !== 'succeeded') throw new Error(`scheduled run ${finished.status}`);
    // The daemon lists snapshots for its metrics once a run ends; let that listing land.
    await new Promise((resolve) => setTimeout(resolve, 1000));
  } finally {
    await daemon.stop();
  }
  return countCalls(emulator);
}

/**
 * Counts the baseline's calls: bench/baselines/per-snapshot-polling.ts as a subprocess on the
 * emulator's clock, with the same disks and poll schedule.
 */
async function countPerSnapshotPolling(emulator: Emulator, script: string): Promise<CallCounts> {
  emulator.control.clearRequests();
  const diskIds = emulator.control.disks().map((disk) => disk.diskId);
  const schedule = { initialMs: DEFAULT_POLL_INTERVALS.initial, maxMs: DEFAULT_POLL_INTERVALS.max };
  await runChecked(process.execPath, ['--import', FAST_CLOCK_PATH, script], {
    env: {
      ...process.env,
      SELFSNAP_BENCH_CLOCK: JSON.stringify(alignedClock(emulator)),
      SELFSNAP_BENCH_BASELINE: baselineInput(emulator, diskIds, schedule),
    },
  });
  return countCalls(emulator);
}

/** Counts the emulator's requests by action, telling polls (by id) from listings (by tag). */
function countCalls(emulator: Emulator): CallCounts {
  const counts: CallCounts = {};
  for (const request of emulator.control.requests()) {
    let key = request.action;
    if (key === 'DescribeSnapshots') {
      key = request.params.SnapshotIds === undefined ? 'listing page' : 'poll';
    }
    counts[key] = (counts[key] ?? 0) + 1;
  }
  emulator.control.clearRequests();
  return counts;
}

/** Counts the polls the engine's schedule makes before `durationMs` has passed. */
function pollsWithin(durationMs: number): number {
  let elapsed = 0;
  let interval = DEFAULT_POLL_INTERVALS.initial;
  let polls = 0;
  while (elapsed < durationMs) {
    elapsed += interval;
    polls += 1;
    interval = Math.min(DEFAULT_POLL_INTERVALS.max, Math.round(interval * 1.5));
  }
  return polls;
}

function total(counts: CallCounts): number {
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

function describeCounts(counts: CallCounts): string {
  return Object.entries(counts)
    .map(([action, count]) => `${action} ${count}`)
    .join(', ');
}

function summarize(selfsnap: CallCounts[], perSnapshot: CallCounts[]): FigureResult {
  const ours = median(selfsnap.map(total));
  const theirs = median(perSnapshot.map(total));
  const expectedPolls = pollsWithin(SNAPSHOT_MINUTES * 60_000);
  return {
    rows: [
      {
        id: 'P3',
        figure: `ECS calls per scheduled run, ${DISKS} disks, ${SNAPSHOT_MINUTES} min snapshots`,
        median: String(ours),
        baseline: `per-snapshot polling ${theirs}`,
        ratio: `${formatRatio(theirs / ours)} fewer`,
        target: `${DISKS} creates + 1 DescribeDisks + 1 DescribeSnapshots per poll + listing pages`,
        met: selfsnap.every(
          (counts) =>
            counts.CreateSnapshot === DISKS &&
            counts.DescribeDisks === 1 &&
            (counts.poll ?? 0) <= expectedPolls + 1 &&
            (counts['listing page'] ?? 0) <= 1 &&
            total(counts) === DISKS + 1 + (counts.poll ?? 0) + (counts['listing page'] ?? 0),
        ),
      },
    ],
    notes: [
      `A real \`selfsnap daemon\` subprocess runs a policy with the cron slot \`${SLOT}\` (UTC) and retention rules. Its clock is the emulator's: bench/support/fast-clock.mjs starts its Date and timers at the emulator's time and runs them at the emulator's speed (x${CLOCK_SPEED}), so node-cron, the polling waits and the signatures all see emulated time and the daemon polls as it would over ten real minutes. The emulator counts every ECS call from the daemon's start until after the run ended.`,
      `selfsnap's calls by action: ${selfsnap.map(describeCounts).join(' | ')}. A poll is one DescribeSnapshots call by SnapshotIds (up to 100 ids); the poll schedule allows ${expectedPolls} polls in ${SNAPSHOT_MINUTES} minutes, and one more may come from timing. A listing page is a DescribeSnapshots call by tag: after the run the daemon lists its snapshots once, one page per 100, to prune by the policy's retention rules (keepLast 7) and to update its metrics.`,
      `Baseline, by action: ${perSnapshot.map(describeCounts).join(' | ')}: the same creates and the same poll schedule (${DEFAULT_POLL_INTERVALS.initial / 1000} s, growing by half up to ${DEFAULT_POLL_INTERVALS.max / 1000} s), but one DescribeSnapshots call per snapshot in progress: bench/baselines/per-snapshot-polling.ts with \`@alicloud/ecs20140526\`, run on the emulator's clock like the daemon.`,
    ],
  };
}
