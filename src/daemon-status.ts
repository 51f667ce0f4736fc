import type { SelfsnapConfig } from './config/index.js';
import type { CredentialsHealth } from './credentials/index.js';
import type { InstanceIdentity } from './metadata/index.js';
import type { Scheduler } from './schedule/index.js';
import type { RunManager, RunRecord } from './snapshot/index.js';
import { VERSION } from './version.js';

/** Health of the parts the daemon depends on. */
export interface DaemonHealth {
  metadata: { ok: boolean; lastError?: string; checkedAt?: string };
  api: { ok: boolean; lastCallAt?: string; lastError?: string };
}

/** What `buildStatus` reads from the running daemon. */
export interface StatusSources {
  config: SelfsnapConfig;
  startedAt: Date;
  identity?: InstanceIdentity;
  health: DaemonHealth;
  credentials?: () => CredentialsHealth;
  runs?: RunManager;
  scheduler?: Scheduler;
}

const RECENT_RUNS = 10;

/** Builds the body of `GET /v1/status`. */
export function buildStatus(sources: StatusSources) {
  const { config, health, runs, scheduler } = sources;
  const credentials = sources.credentials?.() ?? {};
  const degraded = !health.metadata.ok || !health.api.ok || credentials.lastError !== undefined;
  return {
    version: VERSION,
    pid: process.pid,
    uptimeSeconds: Math.round((Date.now() - sources.startedAt.getTime()) / 1000),
    ready: runs !== undefined,
    identity: sources.identity ?? null,
    health: { status: degraded ? 'degraded' : 'ok', ...health, credentials },
    policies: Object.entries(config.policies).map(([name, policy]) => ({
      name,
      schedule: policy.schedule ?? null,
      timezone: policy.timezone,
      lastRun: summarizeRun(runs?.lastRunOf(name)),
      nextRunAt: scheduler?.nextRun(name)?.toISOString() ?? null,
    })),
    inFlight: (runs?.listRuns(200) ?? []).filter((run) => run.status === 'running'),
    recentRuns: (runs?.listRuns(RECENT_RUNS) ?? []).map(summarizeRun),
  };
}

function summarizeRun(run: RunRecord | undefined) {
  if (run === undefined) return null;
  return {
    id: run.id,
    policy: run.policy,
    trigger: run.trigger,
    status: run.status,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt ?? null,
    disks: run.disks.length,
    snapshots: run.disks.filter((disk) => disk.snapshotId !== undefined).length,
    error: run.error ?? null,
  };
}
