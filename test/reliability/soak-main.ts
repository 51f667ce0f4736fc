// `npm run soak -- --runs 10000`: the long form of the run engine soak, with a printed report.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { measureGrowth, type SoakGrowth } from './soak-growth.js';
import { runSoak, type SoakReport } from './soak.js';

const USAGE =
  'usage: npm run soak -- [--runs 10000] [--seed N] [--concurrency 4] [--fault-rate 0.15] [--out report.json]';
// Growth after the warm-up that counts as a leak rather than noise, for heap sampled after a
// full collection: about 1 KB per run over 10,000 runs.
const LIMITS = { heapMb: 10, rssMb: 60, fds: 5 };

function parseOptions() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '10000' },
      seed: { type: 'string', default: '20261204' },
      concurrency: { type: 'string', default: '4' },
      'fault-rate': { type: 'string', default: '0.15' },
      out: { type: 'string' },
    },
  });
  const runs = Number(values.runs);
  const seed = Number(values.seed);
  const concurrency = Number(values.concurrency);
  const faultRate = Number(values['fault-rate']);
  if (![runs, seed, concurrency].every(Number.isInteger) || !(faultRate >= 0 && faultRate <= 1)) {
    throw new Error(USAGE);
  }
  return { runs, seed, concurrency, faultRate, out: values.out };
}

function printReport(report: SoakReport, growth: SoakGrowth): void {
  const every = Math.max(1, Math.floor(report.samples.length / 10));
  console.log('\n   runs  elapsed s   RSS MB  heap MB  open fds');
  report.samples.forEach((sample, index) => {
    if (index % every !== 0 && index !== report.samples.length - 1) return;
    const cells = [sample.runs, sample.elapsedS, sample.rssMb, sample.heapMb, sample.fds];
    console.log(cells.map((cell, i) => String(cell).padStart(i === 0 ? 7 : 9)).join('  '));
  });
  console.log(
    `\nruns ${report.runs} in ${report.durationS} s, ${report.joinedTriggers} triggers joined a run`,
  );
  console.log(`statuses ${JSON.stringify(report.statuses)}`);
  console.log(`errors ${JSON.stringify(report.errors)}`);
  console.log(`faults ${JSON.stringify(report.faults)}`);
  console.log(`checkpoints ${report.checkpoints}, violations ${report.violations.length}`);
  for (const violation of report.violations.slice(0, 20)) console.log(`  ${violation}`);
  console.log(`growth after warm-up ${JSON.stringify(growth)}`);
}

async function main(): Promise<number> {
  const options = parseOptions();
  console.log(`soak: ${options.runs} runs, seed ${options.seed}, node ${process.version}`);
  const report = await runSoak({
    ...options,
    sampleEvery: Math.max(10, Math.floor(options.runs / 100)),
    checkEvery: 250,
    onProgress: (line) => console.log(`soak: ${line}`),
  });
  const growth = measureGrowth(report.samples);
  printReport(report, growth);
  if (options.out !== undefined) {
    await writeFile(options.out, `${JSON.stringify({ ...report, growth }, null, 2)}\n`);
  }
  const grew =
    growth.heapMb > LIMITS.heapMb || growth.rssMb > LIMITS.rssMb || growth.fds > LIMITS.fds;
  if (grew) console.log(`growth over the limits ${JSON.stringify(LIMITS)}`);
  return report.violations.length > 0 || grew ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`soak: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
