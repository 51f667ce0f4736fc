import { EventEmitter } from 'node:events';
import type { Disk } from '../cloud/index.js';
import type { PolicyConfig, SelfsnapConfig, WaitMode } from '../config/index.js';
import { SelfsnapError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import type { StateStore } from '../state/index.js';
import { admitDisks, createRunRecord } from './admit-disks.js';
import { executeRun, finishRun } from './execute-run.js';
import { crashPoint, type JournalStep } from './journal-step.js';
import { applyPlan, selectRunDisks } from './plan-run.js';
import { recordError } from './record-error.js';
import type { RunContext } from './run-context.js';
import { RunJournal } from './run-journal.js';
import { isWaitSatisfied, type RunRecord, type Trigger } from './run-record.js';

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

/** Tunables of the run manager. */
export interface RunManagerOptions {
  /** How often a run parked past its policy's `maxWait` is checked again. */
  recheckIntervalMs?: number;
}

/** The run context the manager passes to each run, without the journal and the stop signal. */
export type RunManagerContext = Omit<RunContext, 'journal' | 'signal'>;

// Run records kept in memory for the socket; the state folder keeps more.
const MEMORY_HISTORY_LIMIT = 200;
const DEFAULT_RECHECK_INTERVAL_MS = 15 * 60_000;

/**
 * Starts runs, journals them, and lets callers wait for a run to reach a wait mode. A disk is
 * snapshotted by one run at a time: a trigger whose disks are all in a run in flight joins it.
 */
export class RunManager {
  private readonly runs = new Map<string, RunRecord>();
  private readonly inFlight = new Map<string, Promise<RunRecord>>();
  private readonly rechecks = new Map<string, NodeJS.Timeout>();
  private readonly updates = new EventEmitter();
  private readonly stopping = new AbortController();
  private readonly journalWriter: RunJournal;
  private planning: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: SelfsnapConfig,
    private readonly state: StateStore,
    private readonly context: RunManagerContext,
    private readonly logger: Logger,
    private readonly options: RunManagerOptions = {},
  ) {
    this.updates.setMaxListeners(0);
    this.journalWriter = new RunJournal((run) => this.state.saveRun(run));
  }

  /** Loads run history and resumes every run a previous daemon left unfinished. */
  async restore(): Promise<void> {
    const stored = await this.state.trimHistory(await this.state.loadRuns());
    for (const run of stored.slice(-MEMORY_HISTORY_LIMIT)) this.runs.set(run.id, run);
    for (const run of stored.filter((record) => record.status === 'running')) {
      this.logger.warn({ runId: run.id, phase: run.phase }, 'resuming interrupted run');
      this.start(run);
    }
  }

  /**
   * Plans a run of a policy and starts it. Disks already in a run in flight are left to that run.
   * When that run covers every disk, it is returned instead of a new one.
   */
  async trigger(request: TriggerRequest): Promise<RunRecord> {
    const policy = this.requirePolicy(request.policy);
    // Planning one trigger at a time lets each see the disks the previous one took.
    const planned = this.planning.then(() => this.planAndStart(request, policy));
    this.planning = planned.catch(() => undefined);
    return planned;
  }

  /** Waits until a run reaches `mode`, or `timeoutMs` passes. */
  async waitFor(runId: string, mode: WaitMode, timeoutMs: number): Promise<WaitResult> {
    const run = this.getRun(runId);
    if (run === undefined) throw new SelfsnapError('NOT_FOUND', `no run with id ${runId}`);
    if (isWaitSatisfied(run, mode)) return { run, timedOut: false };

    return new Promise((resolve) => {
      const stop = this.subscribe((updated) => {
        if (updated.id !== runId || !isWaitSatisfied(updated, mode)) return;
        finish();
        resolve({ run: updated, timedOut: false });
      });
      const timer = setTimeout(() => {
        finish();
        resolve({ run: this.getRun(runId) as RunRecord, timedOut: true });
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        stop();
      };
    });
  }

  /** Calls `listener` with a copy of every run state journaled; returns the unsubscribe function. */
  subscribe(listener: (run: RunRecord) => void): () => void {
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

  /** Returns the last run of a policy. */
  lastRunOf(policy: string): RunRecord | undefined {
    return this.listRuns(MEMORY_HISTORY_LIMIT).find((run) => run.policy === policy);
  }

  /** Waits for every run in flight to end or to stop at a journaled step. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /**
   * Stops new work: no trigger is accepted, no create starts, waiting ends. Creates already sent
   * finish and get their snapshot ids journaled. Resolves false if that takes over `timeoutMs`.
   */
  async stop(timeoutMs: number): Promise<boolean> {
    this.stopping.abort();
    for (const timer of this.rechecks.values()) clearTimeout(timer);
    this.rechecks.clear();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const drained = await Promise.race([this.drain().then(() => true), timedOut]);
    clearTimeout(timer);
    return drained;
  }

  private async planAndStart(request: TriggerRequest, policy: PolicyConfig): Promise<RunRecord> {
    if (this.stopping.signal.aborted) {
      throw new SelfsnapError('NOT_READY', 'the daemon is stopping and starts no new runs');
    }
    const run = createRunRecord(request, this.context.identity.instanceId);
    let disks: Disk[];
    try {
      disks = await selectRunDisks(run.instanceId, policy, this.runContext());
    } catch (error) {
      run.error = recordError(error);
      finishRun(run);
      this.logger.error({ runId: run.id, err: run.error }, 'run failed while planning');
      await this.journal(run, 'run-finished');
      return run;
    }

    const admission = admitDisks(disks, this.runs.values());
    if (admission.joinRun !== undefined) {
      const runId = admission.joinRun.id;
      this.logger.info({ runId, policy: request.policy }, 'joining run in flight');
      return admission.joinRun;
    }
    applyPlan(run, admission.free, policy, this.context);
    if (admission.joined.length > 0) run.joined = admission.joined;
    await this.journal(run, 'run-planned');
    this.logger.info({ runId: run.id, policy: run.policy, trigger: run.trigger }, 'run started');
    this.start(run);
    return run;
  }

  private requirePolicy(name: string): PolicyConfig {
    const policy = this.config.policies[name];
    if (policy !== undefined) return policy;
    const known = Object.keys(this.config.policies).join(', ');
    throw new SelfsnapError('REQUEST_INVALID', `no policy named "${name}" (defined: ${known})`);
  }

  private runContext(): RunContext {
    return {
      ...this.context,
      journal: (run, steps) => this.journal(run, steps),
      signal: this.stopping.signal,
    };
  }

  private start(run: RunRecord): void {
    const policy = this.config.policies[run.policy];
    if (policy === undefined) {
      this.logger.error(
        { runId: run.id, policy: run.policy },
        'run of a policy no longer configured left unfinished',
      );
      return;
    }
    const promise = executeRun(run, policy, this.runContext())
      .then((result) => {
        if (result.status === 'running' && result.waitExceededAt !== undefined)
          this.scheduleRecheck(result);
        return result;
      })
      .finally(() => this.inFlight.delete(run.id));
    this.inFlight.set(run.id, promise);
  }

  private scheduleRecheck(run: RunRecord): void {
    if (this.stopping.signal.aborted) return;
    const timer = setTimeout(() => {
      this.rechecks.delete(run.id);
      this.start(run);
    }, this.options.recheckIntervalMs ?? DEFAULT_RECHECK_INTERVAL_MS);
    timer.unref();
    this.rechecks.set(run.id, timer);
  }

  private async journal(
    run: RunRecord,
    steps: JournalStep | readonly JournalStep[],
  ): Promise<void> {
    const reached: readonly JournalStep[] = typeof steps === 'string' ? [steps] : steps;
    this.runs.set(run.id, run);
    if (this.runs.size > MEMORY_HISTORY_LIMIT) {
      const oldest = this.runs.keys().next().value as string;
      this.runs.delete(oldest);
    }
    try {
      await this.journalWriter.write(run);
    } catch (error) {
      this.logger.error({ err: error, runId: run.id, steps: reached }, 'cannot save run record');
    }
    for (const step of reached) crashPoint(step);
    this.updates.emit('update', structuredClone(run));
  }
}
