import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createConsistencyHooks,
  QuiesceRegistry,
  runFsfreeze,
} from '../../src/consistency/index.js';
import type { RunHooks } from '../../src/snapshot/index.js';
import { startLatencyEmulator } from '../support/bench-emulator.js';
import { createAgent, LogRecorder } from '../support/engine.js';
import { mountScratchFilesystem } from '../support/scratch-filesystem.js';
import type { BenchOptions, FigureResult } from '../support/report.js';
import { formatMs, formatRatio, median } from '../support/stats.js';

const LATENCY_MS = 50;
const DISKS = 8;
// The target: the freeze lasts at most one API round trip plus this much.
const SLACK_MS = 30;

/**
 * P2: how long filesystems stay frozen in a run of 8 disks, measured on a real ext4 filesystem
 * frozen with fsfreeze by src/consistency, against freezing, creating one snapshot after the
 * other, and thawing.
 */
export async function measureFreezeWindow(options: BenchOptions): Promise<FigureResult> {
  const reps = options.full ? 11 : 5;
  const scratch = await mountScratchFilesystem(join(options.workDir, 'scratch'));
  const emulator = await startLatencyEmulator(DISKS, LATENCY_MS, { snapshotDuration: '200ms' });
  const logs = new LogRecorder('info');
  const stateDir = join(options.workDir, 'state');
  await mkdir(stateDir, { recursive: true });
  const engineWindows: number[] = [];
  try {
    const consistency = createConsistencyHooks({
      registry: new QuiesceRegistry(),
      logger: logs.logger,
      protectedPaths: [{ path: stateDir, role: 'state folder' }],
      isOnRunDisks: () => true,
    });
    const { runs, ecs } = await createAgent({
      imdsUrl: emulator.imdsUrl,
      ecsEndpoint: emulator.ecsEndpoint,
      identity: { ...emulator.instance, hostname: emulator.instance.hostname },
      stateDir,
      policies: {
        frozen: { disks: 'all', consistency: 'filesystem', freeze: [scratch.mountpoint] },
      },
      logger: logs.logger,
      hooks: timeHooks(consistency, engineWindows),
      pollIntervalMs: { initial: 100, max: 200 },
    });
    const instanceId = emulator.instance.instanceId;

    const roundTrips: number[] = [];
    const sequential: number[] = [];
    for (let rep = 0; rep <= reps; rep++) {
      const run = await runs.trigger({ policy: 'frozen', trigger: 'manual' });
      await runs.waitFor(run.id, 'accomplished', 30_000);

      let started = performance.now();
      await ecs.describeInstanceDisks(instanceId);
      roundTrips.push(performance.now() - started);

      started = performance.now();
      await runFsfreeze('freeze', scratch.mountpoint);
      for (const diskId of emulator.control.disks().map((disk) => disk.diskId)) {
        const clientToken = `baseline-${rep}-${diskId}`;
        await ecs.createSnapshot({
          diskId,
          snapshotName: `baseline-${rep}`,
          clientToken,
          tags: {},
        });
      }
      await runFsfreeze('thaw', scratch.mountpoint);
      sequential.push(performance.now() - started);
    }
    // The first repetition warms up the JIT, the connections and the filesystem.
    const windows = logs.find('filesystems thawed').map((record) => Number(record.durationMs));
    const freezes = logs.find('filesystems frozen').map((record) => Number(record.freezeMs));
    return summarize({
      windows: windows.slice(1),
      freezes: freezes.slice(1),
      engineWindows: engineWindows.slice(1),
      roundTrips: roundTrips.slice(1),
      sequential: sequential.slice(1),
      problems: logs.problems(),
      reps,
    });
  } finally {
    await emulator.close();
    await scratch.unmount();
  }
}

/** Wraps the consistency hooks to time the engine's part: quiesce returned to release called. */
function timeHooks(hooks: Required<Pick<RunHooks, 'quiesce' | 'release'>>, windows: number[]) {
  let quiescedAt = 0;
  return {
    quiesce: async (...args: Parameters<typeof hooks.quiesce>) => {
      const consistency = await hooks.quiesce(...args);
      quiescedAt = performance.now();
      return consistency;
    },
    release: async (...args: Parameters<typeof hooks.release>) => {
      windows.push(performance.now() - quiescedAt);
      await hooks.release(...args);
    },
  };
}

function summarize(samples: {
  windows: number[];
  freezes: number[];
  engineWindows: number[];
  roundTrips: number[];
  sequential: number[];
  problems: string;
  reps: number;
}): FigureResult {
  const window = median(samples.windows);
  const roundTrip = median(samples.roundTrips);
  const sequential = median(samples.sequential);
  const limit = roundTrip + SLACK_MS;
  return {
    rows: [
      {
        id: 'P2',
        figure: `freeze window (freeze to thaw), ${DISKS} disks`,
        median: formatMs(window),
        baseline: `sequential creates ${formatMs(sequential)}`,
        ratio: `${formatRatio(sequential / window)} shorter`,
        target: `<= 1 round trip + ${SLACK_MS} ms = ${formatMs(limit)}`,
        met: window <= limit,
      },
    ],
    notes: [
      `The run engine (RunManager from src/snapshot) runs with the quiesce and release hooks of src/consistency (createConsistencyHooks), as the daemon would plug them in, and freezes a 64 MiB ext4 filesystem on a loop device with fsfreeze, under the thaw watchdog. The window is the FreezeWindow that src/consistency logs: from the first \`fsfreeze -f\` call to the end of the last \`fsfreeze -u\`. Median of ${samples.reps} runs after one warm-up, ${LATENCY_MS} ms of latency on every ECS call.`,
      `Of that window, the engine's own part (quiesce hook returned to release hook called: one journal write and ${DISKS} parallel CreateSnapshot calls) took ${formatMs(median(samples.engineWindows))}. Freezing (\`fsfreeze -f\`, as src/consistency logs it) took ${formatMs(median(samples.freezes))}; the rest is mostly the thaw.`,
      `One round trip (one DescribeDisks page through the same EcsClient): ${formatMs(roundTrip)}. Baseline: fsfreeze -f, ${DISKS} CreateSnapshot calls one after the other through the same client, fsfreeze -u.`,
      `The daemon plugs in the same hooks through createDaemonConsistencyHooks, which freezes a filesystem only when its disks, found by serial number, are the run's disks; a loop device cannot pass that check, so the benchmark drives the engine in process and tells the hooks that the filesystem is on the run's disks. Engine warnings and errors: ${samples.problems}.`,
    ],
  };
}
