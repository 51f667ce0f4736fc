/** Returns the median of `samples`, the mean of the two middle ones for an even count. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new RangeError('median of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[middle] as number;
  return ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Collects `runs` samples of an async measurement, one after the other. */
export async function sample(runs: number, measure: () => Promise<number>): Promise<number[]> {
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) samples.push(await measure());
  return samples;
}

/** Formats milliseconds with a unit that keeps three significant digits. */
export function formatMs(ms: number): string {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(1)} ms`;
}

/** Formats a ratio as `x12.3`. */
export function formatRatio(ratio: number): string {
  return `x${ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}`;
}

/** Formats kibibytes as mebibytes. */
export function formatMiB(kib: number): string {
  return `${(kib / 1024).toFixed(1)} MiB`;
}
