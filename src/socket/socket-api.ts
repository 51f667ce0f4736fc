import type { Snapshot } from '../cloud/index.js';
import type { WaitMode } from '../config/index.js';
import type { PruneAnswer, PruneRequest } from '../retention/prune-on-request.js';
import type { RunRecord, RunStatus, Trigger } from '../snapshot/index.js';
import type { SnapshotView } from './snapshot-view.js';

/** How long a `POST /v1/runs` without `timeoutMs` waits, like `selfsnap snapshot`. */
export const DEFAULT_WAIT_TIMEOUT_MS = 60_000;

/** The body of `POST /v1/runs`. */
export interface TriggerBody {
  policy?: string;
  reason?: string;
  trigger?: Extract<Trigger, 'manual' | 'hook'>;
  /** Wait mode reached before the response; `none` responds as soon as the run has started. */
  wait?: WaitMode | 'none';
  timeoutMs?: number;
}

/** The response of `POST /v1/runs`, also the last event of its NDJSON stream. */
export interface TriggerAnswer {
  run: RunRecord;
  timedOut: boolean;
}

/** Filters of `GET /v1/runs`. */
export interface RunFilter {
  policy?: string;
  status?: RunStatus;
  limit: number;
}

/** Retention operations the socket serves. */
export interface RetentionApi {
  /** Prunes now, or only plans with `dryRun`. */
  prune(request: PruneRequest): Promise<PruneAnswer>;
  /** Pins one of selfsnap's snapshots and returns it as tagged. */
  pin(snapshotId: string, reason?: string): Promise<Snapshot>;
  /** Unpins one of selfsnap's snapshots and returns it. */
  unpin(snapshotId: string): Promise<Snapshot>;
}

/** Operations the socket server needs from the daemon, which implements them. */
export interface SocketApi {
  status(): Promise<unknown>;
  /** Returns matching runs, newest first. */
  listRuns(filter: RunFilter): RunRecord[];
  getRun(id: string): RunRecord | undefined;
  /** Starts a run, or joins the run of the same policy in flight. */
  startRun(body: TriggerBody): Promise<RunRecord>;
  /** Waits until a run reaches `wait` or `timeoutMs` passes. */
  waitForRun(id: string, wait: WaitMode, timeoutMs: number): Promise<TriggerAnswer>;
  /** Calls `listener` with each new state of a run; returns the function that stops it. */
  watchRun(id: string, listener: (run: RunRecord) => void): () => void;
  /** Lists this instance's snapshots that selfsnap made, reading every page. */
  listSnapshots(policy?: string): Promise<SnapshotView[]>;
  /** Returns the retention operations; throws NOT_READY until the instance is identified. */
  retention(): RetentionApi;
  /** Renders the Prometheus metrics. */
  renderMetrics(): Promise<{ contentType: string; body: string }>;
}
