import { resolve } from 'node:path';
import { startEmulator, type Scenario } from '../../test/emulator/index.js';
import { benchDisks } from '../support/bench-emulator.js';
import { bundleScript } from '../support/bundle.js';
import { runChecked } from '../support/proc.js';
import type { BenchOptions, FigureResult } from '../support/report.js';
import { formatMiB, formatMs } from '../support/stats.js';

const SNAPSHOTS = 10_000;
const PAGE_SIZE = 100;
const DISKS = 4;
const HOUR_MS = 3_600_000;
const CPU_LIMIT_MS = 500;
const RSS_LIMIT_KIB = 100 * 1024;
const INSTANCE_ID = 'i-bp1benchprune000001';

/** The JSON line that bench/prune-plan.ts prints for this figure. */
interface PruneReport {
  prunePass: {
    cpuMs: number;
    firstCpuMs: number;
    firstPeakKiB: number;
    peakKiB: number;
    loadedKiB: number;
    planned: number;
    deleted: number;
    problems: string;
  };
  scaling: { size: number; medianMs: number; deleted: number }[];
}

/**
 * P5: the daemon's prune dry run over 10,000 of selfsnap's snapshots in the emulator, in a
 * plain-node subprocess: CPU, peak RSS and listing pages, plus planPrune alone at four sizes.
 */
export async function measureRetentionPlanning(options: BenchOptions): Promise<FigureResult> {
  const runs = options.full ? 7 : 3;
  const script = await bundleScript(resolve(import.meta.dirname, '../prune-plan.ts'));
  const emulator = await startEmulator({ scenario: seedScenario() });
  try {
    const target = {
      imdsUrl: emulator.imdsUrl,
      ecsEndpoint: emulator.ecsEndpoint,
      instanceId: INSTANCE_ID,
      regionId: emulator.instance.regionId,
      zoneId: emulator.instance.zoneId,
      runs,
    };
    const { stdout } = await runChecked(process.execPath, [script], {
      env: { ...process.env, SELFSNAP_BENCH_PRUNE: JSON.stringify(target) },
    });
    const report = JSON.parse(stdout.trim().split('\n').pop() as string) as PruneReport;
    const pages = emulator.control.requests({ action: 'DescribeSnapshots' }).length / runs;
    return summarize(report, pages, runs);
  } finally {
    await emulator.close();
  }
}

/** Seeds 10,000 snapshots tagged as this instance's, one an hour per disk, 1 in 97 failed. */
function seedScenario(): Scenario {
  const snapshots = Array.from({ length: SNAPSHOTS }, (_, index) => ({
    diskId: `d-bp1bench${String(index % DISKS).padStart(6, '0')}`,
    name: `selfsnap-hourly-${index}`,
    status: index % 97 === 0 ? ('failed' as const) : ('accomplished' as const),
    createdAgo: Math.floor(index / DISKS) * HOUR_MS + 60_000,
    tags: { 'selfsnap:instance': INSTANCE_ID, 'selfsnap:policy': 'hourly' },
  }));
  // The last disk is gone, so its snapshots follow the orphans rule.
  return {
    instance: { instanceId: INSTANCE_ID },
    disks: benchDisks(DISKS - 1),
    snapshots,
  };
}

function summarize(report: PruneReport, pages: number, runs: number): FigureResult {
  const pass = report.prunePass;
  const largest = report.scaling[report.scaling.length - 1] as PruneReport['scaling'][number];
  const expectedPages = Math.ceil(SNAPSHOTS / PAGE_SIZE);
  const scaling = report.scaling
    .map(({ size, medianMs }) => `${size}: ${formatMs(medianMs)}`)
    .join(', ');
  return {
    rows: [
      {
        id: 'P5',
        figure: `prune dry run CPU, ${SNAPSHOTS.toLocaleString('en')} snapshots`,
        median: formatMs(pass.cpuMs),
        baseline: '-',
        ratio: '-',
        target: `<= ${formatMs(CPU_LIMIT_MS)}`,
        met: pass.cpuMs <= CPU_LIMIT_MS,
      },
      {
        id: 'P5',
        figure: `planPrune alone CPU, ${largest.size.toLocaleString('en')} snapshots`,
        median: formatMs(largest.medianMs),
        baseline: '-',
        ratio: '-',
        target: `<= ${formatMs(CPU_LIMIT_MS)}`,
        met: largest.medianMs <= CPU_LIMIT_MS,
      },
      {
        id: 'P5',
        figure: 'peak RSS of the prune process',
        median: formatMiB(pass.peakKiB),
        baseline: `after loading ${formatMiB(pass.loadedKiB)}`,
        ratio: '-',
        target: `<= ${formatMiB(RSS_LIMIT_KIB)}`,
        met: pass.peakKiB <= RSS_LIMIT_KIB,
      },
      {
        id: 'P5',
        figure: 'listing pages per prune',
        median: String(pages),
        baseline: '-',
        ratio: '-',
        target: `= ceil(N/${PAGE_SIZE}) = ${expectedPages}`,
        met: pages === expectedPages,
      },
    ],
    notes: [
      `bench/prune-plan.ts runs as a plain-node subprocess (bundled with esbuild, packages loaded from node_modules as the daemon loads them). It calls the daemon's pruneOnRequest as a dry run for one policy (one DescribeDisks, the listing by the \`selfsnap:instance\` tag, every page of ${PAGE_SIZE}, and planPrune) against an in-process emulator seeded with ${SNAPSHOTS.toLocaleString('en')} snapshots tagged with the instance, one an hour on each of ${DISKS} disks (one of them released). CPU is process.cpuUsage around the call, median of ${runs} passes in one process; the first pass, with cold code, took ${formatMs(pass.firstCpuMs)}. Listing pages are the emulator's DescribeSnapshots count divided by ${runs}.`,
      `The plan kept ${pass.planned - pass.deleted} and would delete ${pass.deleted} of ${pass.planned} snapshots. Peak RSS is the subprocess's maxRSS after the passes (${formatMiB(pass.firstPeakKiB)} after the first), with Node, the config schema, openapi-core and the parsed listing in it. The RSS after loading is read before the first ECS call, so it does not include openapi-core and the credentials SDK, which the ECS client imports on that call. Each pass adds the garbage of 100 page responses on top. Warnings and errors logged: ${pass.problems}.`,
      `planPrune alone over synthetic snapshots (median CPU of 7 plans each): ${scaling}; a doubling of the input roughly doubles the time, so the planner scales linearly.`,
    ],
  };
}
