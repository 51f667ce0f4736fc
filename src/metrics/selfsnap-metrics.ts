import { Gauge, Registry } from 'prom-client';
import type { Snapshot } from '../cloud/index.js';
import type { RunRecord } from '../snapshot/index.js';
import { TAG } from '../snapshot/index.js';
import { VERSION } from '../version.js';
import { createMetricSet, type MetricSet } from './metric-set.js';

/** Daemon state that `/metrics` reads at scrape time. */
export interface MetricsSources {
  /** `Expiration` of the current RAM role credentials, if any were obtained. */
  credentialsExpiration(): string | undefined;
  runsInFlight(): number;
  ready(): boolean;
}

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

// Runs counted once each, even if a finished record is published again; older ids are forgotten.
const COUNTED_RUNS_LIMIT = 1000;

/** selfsnap's Prometheus metrics: run outcomes, API calls, snapshot counts and credential expiry. */
export class SelfsnapMetrics {
  /** The registry `/metrics` renders; one per daemon, so tests never share values. */
  readonly registry = new Registry();
  private readonly set: MetricSet;
  private readonly countedRuns = new Set<string>();

  constructor(sources: MetricsSources) {
    this.set = createMetricSet(this.registry);
    this.set.buildInfo.set({ version: VERSION }, 1);
    this.registerScrapeGauges(sources);
  }

  /** Renders every metric in the Prometheus text format. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** Counts one ECS API call, its duration, and its error code when it failed. */
  recordApiCall(call: ApiCallObservation): void {
    const { action } = call;
    this.set.apiCalls.inc({ action });
    this.set.apiDuration.observe({ action }, call.durationMs / 1000);
    if (!callFailed(call)) return;
    const code = call.ecsCode ?? call.errorCode ?? 'Unknown';
    this.set.apiErrors.inc({ action, code });
    if (code.includes('Throttling')) this.set.apiThrottled.inc({ action });
  }

  /** Records a finished run once; returns false for a run still running or already recorded. */
  recordRun(run: RunRecord): boolean {
    if (run.status === 'running' || this.countedRuns.has(run.id)) return false;
    this.rememberCounted(run.id);
    const policy = run.policy;
    this.set.runs.inc({ policy, trigger: run.trigger, result: run.status });
    const durationMs = Date.parse(run.finishedAt ?? '') - Date.parse(run.startedAt);
    if (Number.isFinite(durationMs)) this.set.runDuration.observe({ policy }, durationMs / 1000);
    const accepted = run.disks.filter((disk) => disk.snapshotId !== undefined).length;
    if (accepted > 0) this.set.snapshotsCreated.inc({ policy }, accepted);

    const consistency = run as RunRecord & ConsistencyFields;
    if (typeof consistency.freezeWindowMs === 'number') {
      this.set.freezeWindow.observe({ policy }, consistency.freezeWindowMs / 1000);
    }
    for (const [hook, result] of Object.entries(consistency.hooks ?? {})) {
      if (typeof result?.durationMs === 'number') {
        this.set.hookDuration.observe({ policy, hook }, result.durationMs / 1000);
      }
    }
    this.recordSuccessTimes(run);
    return true;
  }

  /** Sets the last-success gauges from stored history, so they survive a daemon restart. */
  seedFromHistory(runs: RunRecord[]): void {
    const oldestFirst = [...runs].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    for (const run of oldestFirst) {
      if (run.status !== 'running') this.recordSuccessTimes(run);
    }
  }

  /** Replaces the snapshot counts with those of a complete listing of this instance's snapshots. */
  recordSnapshotListing(snapshots: Snapshot[]): void {
    this.set.snapshots.reset();
    for (const snapshot of snapshots) {
      const policy = snapshot.tags[TAG.policy] ?? '';
      this.set.snapshots.inc({ policy, status: snapshot.status });
    }
    this.set.snapshotsListed.set(Date.now() / 1000);
  }

  private recordSuccessTimes(run: RunRecord): void {
    const policy = run.policy;
    for (const disk of run.disks) {
      const finishedAt = Date.parse(disk.finishedAt ?? '');
      if (disk.status === 'accomplished' && Number.isFinite(finishedAt)) {
        this.set.diskLastSuccess.set({ policy, disk_id: disk.diskId }, finishedAt / 1000);
      }
    }
    const finishedAt = Date.parse(run.finishedAt ?? '');
    if (run.status === 'succeeded' && Number.isFinite(finishedAt)) {
      this.set.lastSuccess.set({ policy }, finishedAt / 1000);
    }
  }

  private rememberCounted(runId: string): void {
    this.countedRuns.add(runId);
    if (this.countedRuns.size <= COUNTED_RUNS_LIMIT) return;
    const oldest = this.countedRuns.values().next().value as string;
    this.countedRuns.delete(oldest);
  }

  private registerScrapeGauges(sources: MetricsSources): void {
    const registers = [this.registry];
    new Gauge({
      name: 'selfsnap_credentials_expiry_timestamp_seconds',
      help: 'Unix time at which the current RAM role credentials expire; 0 until the first set is obtained.',
      registers,
      collect() {
        this.reset();
        const expiresAt = Date.parse(sources.credentialsExpiration() ?? '');
        if (Number.isFinite(expiresAt)) this.set(expiresAt / 1000);
      },
    });
    new Gauge({
      name: 'selfsnap_runs_in_flight',
      help: 'Runs started and not yet finished.',
      registers,
      collect() {
        this.set(sources.runsInFlight());
      },
    });
    new Gauge({
      name: 'selfsnap_ready',
      help: '1 once the instance is identified and runs can start, else 0.',
      registers,
      collect() {
        this.set(sources.ready() ? 1 : 0);
      },
    });
  }
}
