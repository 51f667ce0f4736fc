import { describe, expect, it } from 'vitest';
import { seedFromEnv } from '../support/seeded-random.js';
import { measureGrowth } from './soak-growth.js';
import { runSoak } from './soak.js';

// The short form for CI; `npm run soak -- --runs 10000` is the long one (see the README).
const RUNS = 500;

describe('run engine soak', () => {
  it(`ends ${RUNS} scheduled runs with every invariant held and no growth`, async () => {
    const report = await runSoak({
      runs: RUNS,
      seed: seedFromEnv(20_261_204),
      concurrency: 4,
      faultRate: 0.15,
      sampleEvery: 25,
      checkEvery: 250,
    });
    const growth = measureGrowth(report.samples);
    console.log(`soak: ${JSON.stringify({ ...report, samples: report.samples.length, growth })}`);

    expect(report.violations).toEqual([]);
    expect(report.runs).toBeGreaterThanOrEqual(RUNS);
    expect(report.statuses.running ?? 0).toBe(0);
    expect(report.statuses.succeeded ?? 0).toBeGreaterThan(RUNS / 2);
    expect(report.checkpoints).toBeGreaterThanOrEqual(2);
    // Without --expose-gc the heap is sampled between collections, so the bounds allow for that.
    expect(growth.heapMb).toBeLessThan(20);
    expect(growth.rssMb).toBeLessThan(40);
    expect(growth.fds).toBeLessThanOrEqual(5);
  }, 180_000);
});
