import type { SelfsnapConfig } from './config/index.js';
import type { CredentialsHealth } from './credentials/index.js';
import type { Logger } from './log/index.js';
import { callFailed, type ApiCallObservation } from './metrics/index.js';
import type { InstanceIdentity } from './metadata/index.js';
import type { HookOutcome } from './package-hooks/hook-outcome.js';
import type { Scheduler } from './schedule/index.js';
import type { RunManager, RunRecord } from './snapshot/index.js';
import { toRunView } from './socket/run-view.js';
import { VERSION } from './version.js';

/** Health of the parts the daemon depends on. */
export interface DaemonHealth {
  metadata: { ok: boolean; lastError?: string; checkedAt?: string };
  api: { ok: boolean; lastCallAt?: string; lastError?: string; lastErrorAt?: string };
}

/** Daemon state that `buildStatus` reads. */
export interface StatusSources {
  config: SelfsnapConfig;
  startedAt: Date;
  identity?: InstanceIdentity;
  health: DaemonHealth;
  credentials?: () => CredentialsHealth;
  runs?: RunManager;
  scheduler?: Scheduler;
  /** The last package hook's outcome, as `selfsnap hooks run` stored it. */
  packageHook?: HookOutcome;
}

const RECENT_RUNS = 10;
// In-flight runs are few (one per policy at most), but the scan stays bounded.
const IN_FLIGHT_SCAN = 200;

/** Builds the body of `GET /v1/status`. */
export function buildStatus(sources: StatusSources) {
  const { config, runs, scheduler } = sources;
  return {
    version: VERSION,
    pid: process.pid,
    startedAt: sources.startedAt.toISOString(),
    uptimeSeconds: Math.round((Date.now() - sources.startedAt.getTime()) / 1000),
    ready: runs !== undefined,
    identity: sources.identity ?? null,
    health: buildHealth(sources),
    policies: Object.entries(config.policies).map(([name, policy]) => ({
      name,
      schedule: policy.schedule ?? null,
      timezone: policy.timezone,
      disks: policy.disks,
      consistency: policy.consistency,
      lastRun: summarizeRun(runs?.lastRunOf(name)),
      nextRunAt: scheduler?.nextRun(name)?.toISOString() ?? null,
    })),
    inFlight: (runs?.listRuns(IN_FLIGHT_SCAN) ?? [])
      .filter((run) => run.status === 'running')
      .map(toRunView),
    recentRuns: (runs?.listRuns(RECENT_RUNS) ?? []).map(summarizeRun),
    packageHook: sources.packageHook ?? null,
  };
}

// A package hook that made no restore point stays loud in the status until a later hook succeeds.
function packageHookProblem(outcome: HookOutcome | undefined): string | undefined {
  if (outcome?.result !== 'failed-open' && outcome?.result !== 'failed-closed') return undefined;
  return `${outcome.manager} hook at ${outcome.at}: ${outcome.message}`;
}

function buildHealth(sources: StatusSources) {
  const { health } = sources;
  const credentials = sources.credentials?.() ?? {};
  const expiresAt = Date.parse(credentials.expiration ?? '');
  // The API's last error stays on record after recovery; only a current failure degrades health.
  const lastError =
    (health.metadata.ok ? undefined : health.metadata.lastError) ??
    credentials.lastError ??
    (health.api.ok ? undefined : health.api.lastError) ??
    packageHookProblem(sources.packageHook) ??
    null;
  return {
    status: lastError === null && health.metadata.ok ? 'ok' : 'degraded',
    lastError,
    metadata: health.metadata,
    credentials: {
      ok: credentials.expiration !== undefined && credentials.lastError === undefined,
      ...credentials,
      expiresInSeconds: Number.isFinite(expiresAt)
        ? Math.round((expiresAt - Date.now()) / 1000)
        : null,
    },
    // Null until the first ECS call returns, so a daemon that has not called the API yet does
    // not report it as reachable.
    api: { ...health.api, reachable: health.api.lastCallAt === undefined ? null : health.api.ok },
  };
}

/** Updates API health after one ECS call; logs once when calls start failing and on recovery. */
export function recordApiHealth(
  health: DaemonHealth,
  call: ApiCallObservation,
  logger: Logger,
): void {
  const now = new Date().toISOString();
  logger.debug(
    { action: call.action, durationMs: call.durationMs, ecsCode: call.ecsCode },
    'ecs call',
  );
  if (!callFailed(call)) {
    if (!health.api.ok) logger.info({ action: call.action }, 'ecs api reachable again');
    health.api = { ...health.api, ok: true, lastCallAt: now };
    return;
  }
  health.api = {
    ok: false,
    lastCallAt: now,
    lastError: `${call.action}: ${call.ecsCode ?? call.errorCode ?? 'failed'}`,
    lastErrorAt: now,
  };
}

function summarizeRun(run: RunRecord | undefined) {
  if (run === undefined) return null;
  return {
    id: run.id,
    policy: run.policy,
    trigger: run.trigger,
    status: run.status,
    reason: run.reason ?? null,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt ?? null,
    disks: run.disks.length,
    snapshots: run.disks.filter((disk) => disk.snapshotId !== undefined).length,
    error: run.error ?? null,
  };
}
