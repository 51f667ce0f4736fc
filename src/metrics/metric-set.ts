import { Counter, Gauge, Histogram, Registry } from 'prom-client';

// Run durations span a hook-triggered run that returns in seconds to a large first snapshot.
const RUN_SECONDS_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200];
// The freeze window should stay within seconds; anything past 10 s stalls applications.
const FREEZE_SECONDS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];
const HOOK_SECONDS_BUCKETS = [0.1, 0.5, 1, 5, 10, 30, 60, 300];
const API_SECONDS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Daemon state that `/metrics` reads at scrape time. */
export interface MetricsSources {
  /** `Expiration` of the current RAM role credentials, if any were obtained. */
  credentialsExpiration(): string | undefined;
  runsInFlight(): number;
  ready(): boolean;
}

/** A registry with selfsnap's metrics on it. */
export interface MetricRegistry {
  registry: Registry;
  set: MetricSet;
}

/** Every metric selfsnap exports, registered on one registry. */
export interface MetricSet {
  buildInfo: Gauge<'version'>;
  runs: Counter<'policy' | 'trigger' | 'result'>;
  runDuration: Histogram<'policy'>;
  lastSuccess: Gauge<'policy'>;
  diskLastSuccess: Gauge<'policy' | 'disk_id'>;
  snapshotsCreated: Counter<'policy'>;
  snapshots: Gauge<'policy' | 'status'>;
  snapshotsListed: Gauge;
  apiCalls: Counter<'action'>;
  apiErrors: Counter<'action' | 'code'>;
  apiThrottled: Counter<'action'>;
  apiDuration: Histogram<'action'>;
  freezeWindow: Histogram<'policy'>;
  hookDuration: Histogram<'policy' | 'hook'>;
}

/**
 * Creates a registry with selfsnap's metrics, `selfsnap_build_info` set to `version`, and the
 * gauges that read `sources` at scrape time.
 */
export function createMetricRegistry(sources: MetricsSources, version: string): MetricRegistry {
  const registry = new Registry();
  const set = createMetricSet(registry);
  set.buildInfo.set({ version }, 1);
  registerScrapeGauges(registry, sources);
  return { registry, set };
}

function createMetricSet(registry: Registry): MetricSet {
  const registers = [registry];
  return {
    buildInfo: new Gauge({
      name: 'selfsnap_build_info',
      help: 'Always 1; the version label names the running selfsnap.',
      labelNames: ['version'],
      registers,
    }),
    runs: new Counter({
      name: 'selfsnap_runs_total',
      help: 'Finished runs by policy, trigger and result (succeeded, partial, failed).',
      labelNames: ['policy', 'trigger', 'result'],
      registers,
    }),
    runDuration: new Histogram({
      name: 'selfsnap_run_duration_seconds',
      help: 'Time from the start of a run to its end.',
      labelNames: ['policy'],
      buckets: RUN_SECONDS_BUCKETS,
      registers,
    }),
    lastSuccess: new Gauge({
      name: 'selfsnap_last_success_timestamp_seconds',
      help: 'Unix time at which the last run of a policy succeeded on every disk.',
      labelNames: ['policy'],
      registers,
    }),
    diskLastSuccess: new Gauge({
      name: 'selfsnap_disk_last_success_timestamp_seconds',
      help: 'Unix time at which the last snapshot of a disk by a policy was accomplished.',
      labelNames: ['policy', 'disk_id'],
      registers,
    }),
    snapshotsCreated: new Counter({
      name: 'selfsnap_snapshots_created_total',
      help: 'Snapshots the ECS API accepted, by policy.',
      labelNames: ['policy'],
      registers,
    }),
    snapshots: new Gauge({
      name: 'selfsnap_snapshots',
      help: "selfsnap's snapshots of this instance by policy and status, as last listed.",
      labelNames: ['policy', 'status'],
      registers,
    }),
    snapshotsListed: new Gauge({
      name: 'selfsnap_snapshots_listed_timestamp_seconds',
      help: 'Unix time of the listing that selfsnap_snapshots reports.',
      registers,
    }),
    apiCalls: new Counter({
      name: 'selfsnap_ecs_api_calls_total',
      help: 'ECS API calls by action, failed ones included.',
      labelNames: ['action'],
      registers,
    }),
    apiErrors: new Counter({
      name: 'selfsnap_ecs_api_errors_total',
      help: 'Failed ECS API calls by action and error code (NoResponse when none came back).',
      labelNames: ['action', 'code'],
      registers,
    }),
    apiThrottled: new Counter({
      name: 'selfsnap_ecs_api_throttled_total',
      help: 'ECS API calls rejected by flow control (Throttling codes), by action.',
      labelNames: ['action'],
      registers,
    }),
    apiDuration: new Histogram({
      name: 'selfsnap_ecs_api_call_duration_seconds',
      help: 'Duration of ECS API calls by action.',
      labelNames: ['action'],
      buckets: API_SECONDS_BUCKETS,
      registers,
    }),
    freezeWindow: new Histogram({
      name: 'selfsnap_freeze_window_seconds',
      help: 'Time filesystems stayed frozen during a run, by policy.',
      labelNames: ['policy'],
      buckets: FREEZE_SECONDS_BUCKETS,
      registers,
    }),
    hookDuration: new Histogram({
      name: 'selfsnap_hook_duration_seconds',
      help: 'Duration of pre and post hooks, by policy and hook.',
      labelNames: ['policy', 'hook'],
      buckets: HOOK_SECONDS_BUCKETS,
      registers,
    }),
  };
}

function registerScrapeGauges(registry: Registry, sources: MetricsSources): void {
  const registers = [registry];
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
