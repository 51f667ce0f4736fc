import type { SoakSample } from './soak.js';

/** How much memory and how many descriptors grew after the warm-up. */
export interface SoakGrowth {
  rssMb: number;
  heapMb: number;
  fds: number;
  /** Least-squares slope of the heap over the runs after the warm-up, in KB per run. */
  heapKbPerRun: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function slope(points: { x: number; y: number }[]): number {
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / points.length;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / points.length;
  const covariance = points.reduce((sum, p) => sum + (p.x - meanX) * (p.y - meanY), 0);
  const variance = points.reduce((sum, p) => sum + (p.x - meanX) ** 2, 0);
  return variance === 0 ? 0 : covariance / variance;
}

/**
 * Compares the median of the samples in the second quarter of the soak (after the first
 * quarter's warm-up: module loading, JIT, caches filling) with the median of the last quarter.
 */
export function measureGrowth(samples: readonly SoakSample[]): SoakGrowth {
  const quarter = Math.max(1, Math.floor(samples.length / 4));
  const baseline = samples.slice(quarter, 2 * quarter);
  const final = samples.slice(-quarter);
  const settled = samples.slice(quarter);
  const delta = (pick: (s: SoakSample) => number) =>
    Math.round((median(final.map(pick)) - median(baseline.map(pick))) * 10) / 10;
  return {
    rssMb: delta((s) => s.rssMb),
    heapMb: delta((s) => s.heapMb),
    fds: delta((s) => s.fds),
    heapKbPerRun:
      Math.round(slope(settled.map((s) => ({ x: s.runs, y: s.heapMb * 1000 }))) * 1000) / 1000,
  };
}
