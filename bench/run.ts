/**
 * Runs selfsnap's benchmarks, prints a table (median, baseline, ratio, target, met?) and writes
 * bench/RESULTS.md.
 *
 * `npm run bench` runs the quick set in a few minutes. `npm run bench -- --full` runs every figure
 * with more repetitions and longer windows. `--only P1,P4` runs some figures and writes RESULTS.md
 * with just those.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { measureApiCalls } from './figures/api-calls.js';
import { measureFleet } from './figures/fleet.js';
import { measureFreezeWindow } from './figures/freeze-window.js';
import { measureIdleDaemon } from './figures/idle-daemon.js';
import { measureRetentionPlanning } from './figures/retention-planning.js';
import { measureSnapshotLatency } from './figures/snapshot-latency.js';
import { stopAllDaemons } from './support/daemon-process.js';
import { FINDINGS } from './support/findings.js';
import { runChecked } from './support/proc.js';
import {
  describeMachine,
  formatTable,
  renderResults,
  type BenchOptions,
  type FigureResult,
} from './support/report.js';

const ROOT = resolve(import.meta.dirname, '..');
const RESULTS_PATH = join(ROOT, 'bench', 'RESULTS.md');

const FIGURES: Record<
  string,
  { title: string; measure: (o: BenchOptions) => Promise<FigureResult> }
> = {
  P1: { title: 'snapshot latency', measure: measureSnapshotLatency },
  P2: { title: 'freeze window', measure: measureFreezeWindow },
  P3: { title: 'API calls per scheduled run', measure: measureApiCalls },
  P4: { title: 'idle daemon', measure: measureIdleDaemon },
  P5: { title: 'retention planning', measure: measureRetentionPlanning },
  P6: { title: 'fleet of agents', measure: measureFleet },
};

function readOptions(): { full: boolean; only: string[] } {
  const { values } = parseArgs({
    options: { full: { type: 'boolean', default: false }, only: { type: 'string' } },
    strict: true,
  });
  const only = values.only?.split(',').map((id) => id.trim().toUpperCase()) ?? Object.keys(FIGURES);
  const unknown = only.filter((id) => FIGURES[id] === undefined);
  if (unknown.length > 0) {
    throw new Error(
      `unknown figure ${unknown.join(', ')}; known: ${Object.keys(FIGURES).join(', ')}`,
    );
  }
  return { full: values.full === true, only };
}

async function main(): Promise<void> {
  const { full, only } = readOptions();
  // An interrupted run must not leave daemons behind.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stopAllDaemons();
      process.exit(130);
    });
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log('building dist/ with tsc');
  await runChecked('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT });

  const results = new Map<string, FigureResult>();
  const started = performance.now();
  for (const id of only) {
    const figure = FIGURES[id] as (typeof FIGURES)[string];
    const workDir = await mkdtemp(join(tmpdir(), `selfsnap-bench-${id}-`));
    log(`${id}: ${figure.title}`);
    try {
      results.set(`${id}: ${figure.title}`, await figure.measure({ full, workDir, log }));
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }

  const rows = [...results.values()].flatMap((result) => result.rows);
  process.stdout.write(`${formatTable(rows)}\n`);
  const command = `npm run bench${full ? ' -- --full' : ''}`;
  await writeFile(
    RESULTS_PATH,
    renderResults({ machine: describeMachine(), command, results, findings: FINDINGS }),
  );
  log(`wrote ${RESULTS_PATH} after ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

await main();
