import { EventEmitter } from 'node:events';
import type { SelfsnapConfig, WaitMode } from '../config/index.js';
import { SelfsnapError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import type { StateStore } from '../state/index.js';
import { executeRun, type RunContext } from './execute-run.js';
import { isWaitSatisfied, type RunRecord, type Trigger } from './run-record.js';
import { buildSnapshotName, createRunId } from './snapshot-naming.js';

/** A request to start a run. */
export interface TriggerRequest {
  policy: string;
  trigger: Trigger;
  reason?: string;
}

/** The outcome of waiting for a run. */
export interface WaitResult {
  run: RunRecord;
  timedOut: boolean;
}

// Run records kept in memory for the socket; the state folder keeps more.
const MEMORY_HISTORY_LIMIT = 200;

/** Starts runs, keeps their records, and lets callers wait for a run to reach a wait mode. */
export class RunManager {
  private readonly runs = new Map<string, RunRecord>();
  private readonly inFlight = new Map<string, Promise<RunRecord>>();
  private readonly updates = new EventEmitter();

  constructor(
    private readonly config: SelfsnapConfig,
    private readonly state: StateStore,
    private readonly context: Omit<RunContext, 'publish'>,
    private readonly logger: Logger,
  ) {
    this.updates.setMaxListeners(0);
  }

  /** Loads run history and resumes any run a previous daemon left unfinished. */
  async restore(): Promise<void> {
    const stored = await this.state.trimHistory(await this.state.loadRuns());
    for (const run of stored.slice(-MEMORY_HISTORY_LIMIT)) this.runs.set(run.id, run);
    for (const run of stored.filter((record) => record.status === 'running')) {
      this.logger.warn({ runId: run.id, phase: run.phase }, 'resuming interrupted run');
      this.start(run);
    }
  }

  /** Starts a run, or returns the run of the same policy already in flight. */
  async trigger(request: TriggerRequest): Promise<RunRecord> {
    const policy = this.config.policies[request.policy];
    if (policy === undefined) {
      const known = Object.keys(this.config.policies).join(', ');
      throw new SelfsnapError(
        'REQUEST_INVALID',
        `no policy named "${request.policy}" (defined: ${known})`,
      );
    }
    const running = [...this.runs.values()].find(
      (run) => run.policy === request.policy && run.status === 'running',
    );
    if (running !== undefined) {
      this.logger.info({ runId: running.id, policy: request.policy }, 'joining run in flight');
      return running;
    }

    const startedAt = new Date();
    const run: RunRecord = {
      id: createRunId(request.policy, startedAt),
      policy: request.policy,
      trigger: request.trigger,
      reason: request.reason,
      instanceId: this.context.identity.instanceId,
      snapshotName: buildSnapshotName(request.policy, startedAt),
      phase: 'planning',
      status: 'running',
      startedAt: startedAt.toISOString(),
      disks: [],
    };
    await this.publish(run);
    this.logger.info({ runId: run.id, policy: run.policy, trigger: run.trigger }, 'run started');
    this.start(run);
    return run;
  }

  /** Waits until a run reaches `mode`, or `timeoutMs` passes. */
  async waitFor(runId: string, mode: WaitMode, timeoutMs: number): Promise<WaitResult> {
    const run = this.getRun(runId);
    if (run === undefined) throw new SelfsnapError('NOT_FOUND', `no run with id ${runId}`);
    if (isWaitSatisfied(run, mode)) return { run, timedOut: false };

    return new Promise((resolve) => {
      const onUpdate = (updated: RunRecord) => {
        if (updated.id !== runId || !isWaitSatisfied(updated, mode)) return;
        cleanup();
        resolve({ run: updated, timedOut: false });
      };
      const timer = setTimeout(() => {
        cleanup();
        resolve({ run: this.getRun(runId) as RunRecord, timedOut: true });
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.updates.off('update', onUpdate);
      };
      this.updates.on('update', onUpdate);
    });
  }

  /** Calls `listener` with a copy of each run record as it changes; returns the unsubscribe. */
  onUpdate(listener: (run: RunRecord) => void): () => void {
    this.updates.on('update', listener);
    return () => this.updates.off('update', listener);
  }

  /** Returns one run by id. */
  getRun(runId: string): RunRecord | undefined {
    return this.runs.get(runId);
  }

  /** Returns the most recent runs, newest first. */
  listRuns(limit = 50): RunRecord[] {
    return [...this.runs.values()].reverse().slice(0, limit);
  }

  /** Returns the last run of each policy. */
  lastRunOf(policy: string): RunRecord | undefined {
    return this.listRuns(MEMORY_HISTORY_LIMIT).find((run) => run.policy === policy);
  }

  /** Waits for every run in flight to finish its current journaled step or end. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight.values()]);
  }

  private start(run: RunRecord): void {
    const policy = this.config.policies[run.policy];
    if (policy === undefined) return;
    const context: RunContext = { ...this.context, publish: (record) => this.publish(record) };
    const promise = executeRun(run, policy, context).finally(() => this.inFlight.delete(run.id));
    this.inFlight.set(run.id, promise);
  }

  private async publish(run: RunRecord): Promise<void> {
    this.runs.set(run.id, run);
    if (this.runs.size > MEMORY_HISTORY_LIMIT) {
      const oldest = this.runs.keys().next().value as string;
      this.runs.delete(oldest);
    }
    try {
      await this.state.saveRun(run);
    } catch (error) {
      this.logger.error({ err: error, runId: run.id }, 'cannot save run record');
    }
    this.updates.emit('update', structuredClone(run));
  }
}
