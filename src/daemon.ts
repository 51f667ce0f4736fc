import { EcsClient } from './cloud/index.js';
import type { SelfsnapConfig, WaitMode } from './config/index.js';
import { QuiesceRegistry } from './consistency/index.js';
import { createRamRoleCredentials, type RamRoleCredentials } from './credentials/index.js';
import {
  createDaemonConsistencyHooks,
  createDiskListing,
  createDiskLookups,
} from './daemon/index.js';
import { buildStatus, recordApiHealth, type DaemonHealth } from './daemon-status.js';
import { SelfsnapError } from './errors/index.js';
import type { Logger } from './log/index.js';
import { SelfsnapMetrics } from './metrics/index.js';
import { discoverIdentity, MetadataClient, type InstanceIdentity } from './metadata/index.js';
import { RetentionService } from './retention/index.js';
import { lastScheduledRunIn, Scheduler } from './schedule/index.js';
import { RunManager, TAG, type RunRecord } from './snapshot/index.js';
import {
  StatusServer,
  toSnapshotView,
  type RunFilter,
  type SocketApi,
  type TriggerBody,
} from './socket/index.js';
import { StateStore } from './state/index.js';
import { findReusableHookRun } from './triggers/index.js';
import { readHookOutcome } from './package-hooks/hook-state.js';

// Back-off between identity lookups while the metadata service is unreachable.
const CONNECT_RETRY_MS = { initial: 1000, max: 60_000 };
// A graceful stop waits this long for runs to record their snapshot ids.
const DRAIN_TIMEOUT_MS = 20_000;
// A trigger that arrives while the daemon is still identifying the instance waits this long for
// it, so a package hook run right after boot still gets its snapshot.
const TRIGGER_READY_WAIT_MS = 30_000;

/** The running agent: socket, identity, cloud client, runs and schedules. */
export class Daemon implements SocketApi {
  private readonly startedAt = new Date();
  private readonly health: DaemonHealth = { metadata: { ok: false }, api: { ok: true } };
  private readonly metadata: MetadataClient;
  private readonly state: StateStore;
  private readonly server: StatusServer;
  /** Quiesced runs, which a stop thaws and runs the post hooks of before anything else. */
  private readonly quiesces = new QuiesceRegistry();
  /** The Prometheus metrics that `GET /metrics` renders. */
  readonly metrics: SelfsnapMetrics;
  private identity?: InstanceIdentity;
  private credentials?: RamRoleCredentials;
  private ecs?: EcsClient;
  private runs?: RunManager;
  private markRunsReady!: () => void;
  private readonly runsReady = new Promise<void>((resolve) => {
    this.markRunsReady = resolve;
  });
  private retentionService?: RetentionService;
  private scheduler?: Scheduler;
  private stopping = false;
  private connectTimer?: NodeJS.Timeout;

  private readonly logger: Logger;

  /**
   * Creates the daemon. `scope` has no `component`, so each part adds its own. A child logger
   * that binds a key again writes it twice in every line.
   */
  constructor(
    private readonly config: SelfsnapConfig,
    private readonly scope: Logger,
  ) {
    this.logger = scope.child({ component: 'daemon' });
    this.metadata = new MetadataClient({
      endpoint: config.metadata.endpoint,
      tokenTtlSeconds: config.metadata.tokenTtlSeconds,
      allowTokenless: config.metadata.allowTokenless,
      timeoutMs: config.metadata.timeout,
      retries: config.metadata.retries,
    });
    this.state = new StateStore(config.stateDir, scope.child({ component: 'state' }));
    this.server = new StatusServer(config.socket, this, scope.child({ component: 'socket' }));
    this.metrics = new SelfsnapMetrics({
      credentialsExpiration: () => this.credentials?.health().expiration,
      runsInFlight: () => this.listRuns({ status: 'running', limit: 200 }).length,
      ready: () => this.runs !== undefined && !this.stopping,
    });
  }

  /** Opens the state folder and the socket, then connects to the cloud in the background. */
  async start(): Promise<void> {
    await this.state.init();
    await this.server.listen();
    this.logger.info({ socket: this.config.socket.path, pid: process.pid }, 'daemon ready');
    void this.connect(CONNECT_RETRY_MS.initial);
  }

  /** Stops schedules and the socket, and lets runs in flight record their state. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.markRunsReady();
    clearTimeout(this.connectTimer);
    // A frozen filesystem blocks the host's writes, so it must not wait for the runs to drain.
    await this.quiesces.releaseAll();
    await this.scheduler?.stop();
    await this.server.close();
    // Runs start no new creates and stop waiting; creates already sent get their ids journaled.
    const drained = (await this.runs?.stop(DRAIN_TIMEOUT_MS)) ?? true;
    if (!drained) this.logger.warn('stopping with runs in flight; they resume on the next start');
    this.logger.info('daemon stopped');
  }

  async status() {
    return buildStatus({
      packageHook: await readHookOutcome(this.config.stateDir),
      config: this.config,
      startedAt: this.startedAt,
      identity: this.identity,
      health: this.health,
      credentials: this.credentials?.health,
      runs: this.runs,
      scheduler: this.scheduler,
    });
  }

  listRuns(filter: RunFilter) {
    const matching = (this.runs?.listRuns(200) ?? []).filter(
      (run) =>
        (filter.policy === undefined || run.policy === filter.policy) &&
        (filter.status === undefined || run.status === filter.status),
    );
    return matching.slice(0, filter.limit);
  }

  getRun(id: string) {
    return this.runs?.getRun(id);
  }

  async startRun(body: TriggerBody): Promise<RunRecord> {
    const trigger = body.trigger ?? 'manual';
    const policy = body.policy ?? this.defaultPolicy();
    const runs = await this.runsOnceReady();
    const minIntervalMs = trigger === 'hook' ? (this.config.triggers.hook?.minInterval ?? 0) : 0;
    const request = { policy, reason: body.reason };
    const recent = findReusableHookRun(runs.listRuns(200), request, minIntervalMs);
    if (recent !== undefined) this.logger.info({ runId: recent.id, ...request }, 'hook reuses run');
    return recent ?? runs.trigger({ policy, trigger, reason: body.reason });
  }

  async waitForRun(id: string, wait: WaitMode, timeoutMs: number) {
    return this.readyRuns().waitFor(id, wait, timeoutMs);
  }

  watchRun(id: string, listener: (run: RunRecord) => void): () => void {
    return this.readyRuns().subscribe((run) => {
      if (run.id === id) listener(run);
    });
  }

  async listSnapshots(policy?: string) {
    const ecs = this.ecs;
    const identity = this.identity;
    if (ecs === undefined || identity === undefined) throw this.notReady();
    // By tag alone, like pruning: an InstanceId filter could drop snapshots of detached disks.
    const tags = { [TAG.instance]: identity.instanceId };
    const snapshots = await ecs.describeSnapshots({ tags });
    this.metrics.recordSnapshotListing(snapshots);
    return snapshots
      .filter((snapshot) => policy === undefined || snapshot.tags[TAG.policy] === policy)
      .map(toSnapshotView);
  }

  retention(): RetentionService {
    if (this.retentionService === undefined || this.stopping) throw this.notReady();
    return this.retentionService;
  }

  async renderMetrics() {
    return this.metrics.render();
  }

  private async runsOnceReady(): Promise<RunManager> {
    if (this.runs === undefined && !this.stopping) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, TRIGGER_READY_WAIT_MS);
      });
      await Promise.race([this.runsReady, timeout]);
      clearTimeout(timer);
    }
    return this.readyRuns();
  }

  private readyRuns(): RunManager {
    if (this.runs === undefined || this.stopping) throw this.notReady();
    return this.runs;
  }

  private notReady(): SelfsnapError {
    const reason = this.stopping
      ? 'stopping'
      : (this.health.metadata.lastError ?? 'still starting');
    return new SelfsnapError('NOT_READY', `daemon is not ready: ${reason}`);
  }

  // The hook policy is the default for every trigger; without one, the first policy listed.
  private defaultPolicy(): string {
    return this.config.triggers.hook?.policy ?? (Object.keys(this.config.policies)[0] as string);
  }

  private async connect(retryMs: number): Promise<void> {
    if (this.stopping) return;
    try {
      this.identity = await discoverIdentity(this.metadata);
      this.health.metadata = { ok: true, checkedAt: new Date().toISOString() };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (this.health.metadata.lastError !== message) {
        this.logger.warn(
          { err: error, retryInMs: retryMs },
          'metadata service unavailable; retrying',
        );
      }
      this.health.metadata = { ok: false, lastError: message, checkedAt: new Date().toISOString() };
      const next = Math.min(CONNECT_RETRY_MS.max, retryMs * 2);
      this.connectTimer = setTimeout(() => void this.connect(next), retryMs);
      return;
    }
    await this.startRuns(this.identity);
  }

  private async startRuns(identity: InstanceIdentity): Promise<void> {
    const scope = this.scope.child({
      instanceId: identity.instanceId,
      regionId: identity.regionId,
    });
    scope.child({ component: 'daemon' }).info({ zoneId: identity.zoneId }, 'instance identified');

    const ecs = this.createEcsClient(identity, scope);
    const retention = await RetentionService.open(this.config.stateDir, {
      ecs,
      instanceId: identity.instanceId,
      policies: this.config.policies,
      logger: scope,
      onListing: (snapshots) => this.metrics.recordSnapshotListing(snapshots),
    });
    this.retentionService = retention;

    const runs = this.createRunManager(identity, ecs, retention, scope);
    await runs.restore();
    this.metrics.seedFromHistory(runs.listRuns(200));
    runs.subscribe((run) => this.onRunUpdate(run));
    this.runs = runs;
    this.markRunsReady();

    this.scheduler = new Scheduler(
      this.config.policies,
      identity.instanceId,
      (policy, reason) => void this.runScheduled(policy, reason),
      scope.child({ component: 'schedule' }),
      (policy) => lastScheduledRunIn(runs.listRuns(200), policy),
    );
    this.scheduler.start();
  }

  private createEcsClient(identity: InstanceIdentity, scope: Logger): EcsClient {
    this.credentials = createRamRoleCredentials(
      {
        metadataEndpoint: this.config.metadata.endpoint,
        allowTokenless: this.config.metadata.allowTokenless,
        timeoutMs: this.config.metadata.timeout,
      },
      this.metadata,
    );
    const logger = scope.child({ component: 'ecs' });
    this.ecs = new EcsClient({
      regionId: identity.regionId,
      endpoint: this.config.ecs.endpoint,
      protocol: this.config.ecs.protocol,
      timeoutMs: this.config.ecs.timeout,
      credentials: this.credentials,
      logger,
      onCall: (call) => {
        recordApiHealth(this.health, call, logger);
        this.metrics.recordApiCall(call);
      },
    });
    return this.ecs;
  }

  private createRunManager(
    identity: InstanceIdentity,
    ecs: EcsClient,
    retention: RetentionService,
    scope: Logger,
  ): RunManager {
    const lookups = createDiskLookups(this.metadata);
    const diskListing = createDiskListing(ecs, identity.instanceId, lookups, scope);
    const consistency = createDaemonConsistencyHooks({
      config: this.config,
      ecs,
      registry: this.quiesces,
      logger: scope,
      diskListing,
      ...lookups,
    });
    const logger = scope.child({ component: 'run' });
    return new RunManager(
      this.config,
      this.state,
      {
        ecs,
        identity,
        logger,
        ...lookups,
        diskListing,
        groupDiskLimit: this.config.ecs.snapshotGroupDiskLimit,
        hooks: { ...consistency, prune: (run, policy) => retention.pruneRun(run, policy) },
      },
      logger,
    );
  }

  private async runScheduled(policy: string, reason?: string): Promise<void> {
    if (this.stopping || this.runs === undefined) return;
    try {
      await this.runs.trigger({ policy, trigger: 'schedule', reason });
    } catch (error) {
      this.logger.error({ err: error, policy }, 'scheduled run not started');
    }
  }

  private onRunUpdate(run: RunRecord): void {
    if (!this.metrics.recordRun(run)) return;
    // A run that pruned has already given the metrics the listing it pruned from.
    if (run.prune?.status === 'pruned') return;
    // One listing per finished run keeps selfsnap_snapshots current at a cost of a page per 100.
    this.listSnapshots().catch((error: unknown) => {
      this.logger.warn({ err: error, runId: run.id }, 'cannot list snapshots for the metrics');
    });
  }
}
