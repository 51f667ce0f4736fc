import type { RunRecord } from '../snapshot/index.js';

/** A run as `GET /v1/runs` and `GET /v1/runs/{id}` return it: the record plus derived timings. */
export type RunView = RunRecord & {
  /** How long filesystems stayed frozen; null when the run froze nothing. */
  freezeWindowMs: number | null;
  timings: {
    /** From start until every create was answered (the restore point exists). */
    acceptedAfterMs: number | null;
    /** From start until the run ended. */
    durationMs: number | null;
  };
};

/** Adds the derived fields of a run view to a run record. */
export function toRunView(run: RunRecord): RunView {
  const recorded = run as RunRecord & { freezeWindowMs?: number };
  return {
    ...run,
    freezeWindowMs: typeof recorded.freezeWindowMs === 'number' ? recorded.freezeWindowMs : null,
    timings: {
      acceptedAfterMs: elapsedMs(run.startedAt, run.acceptedAt),
      durationMs: elapsedMs(run.startedAt, run.finishedAt),
    },
  };
}

function elapsedMs(from: string, to: string | undefined): number | null {
  if (to === undefined) return null;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) ? ms : null;
}
