import type { Snapshot } from '../cloud/index.js';
import type { RunRecord } from '../snapshot/index.js';
import { TAG } from '../snapshot/index.js';
import { VERSION } from '../version.js';
import type { MetricRegistry, MetricSet, MetricsSources } from './metric-set.js';

export type { MetricsSources } from './metric-set.js';

/** One finished ECS API call, as the cloud client reports it. */
export interface ApiCallObservation {
  action: string;
  durationMs: number;
  /** The ECS error `Code` when the API returned an error. */
  ecsCode?: string;
  /** selfsnap's error code when the call failed, including calls that got no response. */
  errorCode?: string;
}

/** Tells whether an observed API call failed. */
export function callFailed(call: ApiCallObservation): boolean {
  return call.ecsCode !== undefined || call.errorCode !== undefined;
}

/** Fields that the consistency step adds to a run record once it freezes or runs hooks. */
interface ConsistencyFields {
  freezeWindowMs?: number;
  hooks?: Record<string, { durationMs?: number } | undefined>;
}

// Values queued before the first scrape. Past this many, prom-client is loaded to take them, so
// the queue of an agent that is never scraped stays bounded.
const MAX_QUEUED_UPDATES = 1000;
// Runs counted once each, even if a finished record is published again; older ids are forgotten.
const COUNTED_RUNS_LIMIT = 1000;

/** A change to the metric values, kept until prom-client is loaded. */
type MetricUpdate = (set: MetricSet) => void;

/**
 * selfsnap's Prometheus metrics: run outcomes, API calls, snapshot counts and credential expiry.
 *
 * prom-client (about 4 MiB of RSS with Node.js 20 on Linux x64) is imported on the first scrape, or once
 * MAX_QUEUED_UPDATES values wait for it. Until then recorded values are queued, and they are
 * applied in order before the first scrape renders.
 */
export class SelfsnapMetrics {
  private loaded?: MetricRegistry;
  private loading?: Promise<MetricRegistry>;
  private queued: MetricUpdate[] = [];
  private readonly countedRuns = new Set<string>();

  constructor(private readonly sources: MetricsSources) {}

  /** Renders every metric in the Prometheus text format. */
  async render(): Promise<{ contentType: string; body: string }> {
    const { registry } = await this.load();
    return { contentType: registry.contentType, body: await registry.metrics() };
  }

  /** Counts one ECS API call, its duration, and its error code when it failed. */
  recordApiCall(call: ApiCallObservation): void {
    const { action } = call;
    const failed = callFailed(call);
    const code = call.ecsCode ?? call.errorCode ?? 'Unknown';
    this.update((set) => {
      set.apiCalls.inc({ action });
      set.apiDuration.observe({ action }, call.durationMs / 1000);
      if (!failed) return;
      set.apiErrors.inc({ action, code });
      if (code.includes('Throttling')) set.apiThrottled.inc({ action });
    });
  }

  /** Records a finished run once; returns false for a run still running or already recorded. */
  recordRun(run: RunRecord): boolean {
    if (run.status === 'running' || this.countedRuns.has(run.id)) return false;
    this.rememberCounted(run.id);
    this.update((set) => {
      recordOutcome(set, run);
      recordSuccessTimes(set, run);
    });
    return true;
  }

  /** Sets the last-success gauges from stored history, so they survive a daemon restart. */
  seedFromHistory(runs: RunRecord[]): void {
    const finished = runs.filter((run) => run.status !== 'running');
    if (finished.length === 0) return;
    const oldestFirst = finished.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    this.update((set) => {
      for (const run of oldestFirst) recordSuccessTimes(set, run);
    });
  }

  /** Replaces the snapshot counts with those of a complete listing of this instance's snapshots. */
  recordSnapshotListing(snapshots: Snapshot[]): void {
    // Counted now, so that a queued update does not hold on to the listing.
    const counts = new Map<string, { policy: string; status: string; count: number }>();
    for (const snapshot of snapshots) {
      const policy = snapshot.tags[TAG.policy] ?? '';
      const key = JSON.stringify([policy, snapshot.status]);
      const entry = counts.get(key) ?? { policy, status: snapshot.status, count: 0 };
      entry.count += 1;
      counts.set(key, entry);
    }
    const listedAt = Date.now() / 1000;
    this.update((set) => {
      set.snapshots.reset();
      for (const { policy, status, count } of counts.values()) {
        set.snapshots.inc({ policy, status }, count);
      }
      set.snapshotsListed.set(listedAt);
    });
  }

  /** Applies `change` now once prom-client is loaded, else queues it. */
  private update(change: MetricUpdate): void {
    if (this.loaded !== undefined) {
      change(this.loaded.set);
      return;
    }
    this.queued.push(change);
    if (this.queued.length < MAX_QUEUED_UPDATES) return;
    // A failed import is reported by the next render, which awaits the same promise.
    this.load().catch(() => undefined);
  }

  private load(): Promise<MetricRegistry> {
    this.loading ??= import('./metric-set.js').then(({ createMetricRegistry }) => {
      const loaded = createMetricRegistry(this.sources, VERSION);
      for (const change of this.queued) change(loaded.set);
      this.queued = [];
      this.loaded = loaded;
      return loaded;
    });
    return this.loading;
  }

  private rememberCounted(runId: string): void {
    this.countedRuns.add(runId);
    if (this.countedRuns.size <= COUNTED_RUNS_LIMIT) return;
    const oldest = this.countedRuns.values().next().value as string;
    this.countedRuns.delete(oldest);
  }
}

function recordOutcome(set: MetricSet, run: RunRecord): void {
  const policy = run.policy;
  set.runs.inc({ policy, trigger: run.trigger, result: run.status });
  const durationMs = Date.parse(run.finishedAt ?? '') - Date.parse(run.startedAt);
  if (Number.isFinite(durationMs)) set.runDuration.observe({ policy }, durationMs / 1000);
  const accepted = run.disks.filter((disk) => disk.snapshotId !== undefined).length;
  if (accepted > 0) set.snapshotsCreated.inc({ policy }, accepted);

  const consistency = run as RunRecord & ConsistencyFields;
  if (typeof consistency.freezeWindowMs === 'number') {
    set.freezeWindow.observe({ policy }, consistency.freezeWindowMs / 1000);
  }
  for (const [hook, result] of Object.entries(consistency.hooks ?? {})) {
    if (typeof result?.durationMs === 'number') {
      set.hookDuration.observe({ policy, hook }, result.durationMs / 1000);
    }
  }
}

function recordSuccessTimes(set: MetricSet, run: RunRecord): void {
  const policy = run.policy;
  for (const disk of run.disks) {
    const finishedAt = Date.parse(disk.finishedAt ?? '');
    if (disk.status === 'accomplished' && Number.isFinite(finishedAt)) {
      set.diskLastSuccess.set({ policy, disk_id: disk.diskId }, finishedAt / 1000);
    }
  }
  const finishedAt = Date.parse(run.finishedAt ?? '');
  if (run.status === 'succeeded' && Number.isFinite(finishedAt)) {
    set.lastSuccess.set({ policy }, finishedAt / 1000);
  }
}
