import type { RunRecord } from '../snapshot/index.js';
import { parseHookReason } from './hook-reason.js';

/** The fields of a hook trigger that the debounce reads. */
export interface HookTriggerRequest {
  policy: string;
  reason?: string;
}

/**
 * Finds the run that a hook trigger reuses instead of starting another: the newest hook run of the
 * same policy that started less than `minIntervalMs` ago and has not failed on any disk. A
 * post-transaction trigger never reuses a run, because its snapshot must show the disks after the
 * change. `runs` is newest first, as `RunManager.listRuns` returns them.
 */
export function findReusableHookRun(
  runs: readonly RunRecord[],
  request: HookTriggerRequest,
  minIntervalMs: number,
  now: Date = new Date(),
): RunRecord | undefined {
  if (minIntervalMs <= 0) return undefined;
  if (parseHookReason(request.reason)?.phase === 'post') return undefined;

  const recent = runs.find(
    (run) =>
      run.policy === request.policy &&
      run.trigger === 'hook' &&
      now.getTime() - Date.parse(run.startedAt) < minIntervalMs,
  );
  if (recent === undefined || !isRestorePoint(recent)) return undefined;
  return recent;
}

// A failed or partial run leaves some disk without a restore point, so a new run is better.
function isRestorePoint(run: RunRecord): boolean {
  if (run.status !== 'running' && run.status !== 'succeeded') return false;
  return run.disks.every((disk) => disk.status !== 'failed');
}
