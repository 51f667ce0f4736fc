import type { PolicyConfig } from '../config/index.js';
import { SelfsnapError, toSelfsnapError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import {
  freezeFilesystems,
  type FreezeOptions,
  type FreezeWindow,
  type FrozenFilesystems,
} from './freeze-filesystems.js';
import { checkHookSafety } from './hook-safety.js';
import type { OutputLimits } from './hook-output.js';
import { runHook, type HookPhase, type HookResult, type HookRunInfo } from './run-hook.js';
import type { QuiesceRegistry } from './quiesce-registry.js';

/** The consistency a snapshot claims in its `selfsnap:consistency` tag. */
export type Consistency = PolicyConfig['consistency'];
/** A policy's hooks, as the config defines them (timeout in ms). */
export type HooksConfig = NonNullable<PolicyConfig['hooks']>;

/** Options of one quiesce. */
export interface QuiesceOptions {
  run: Omit<HookRunInfo, 'snapshotIds'>;
  /** The consistency the policy requests; the session reports the one reached. */
  consistency: Consistency;
  hooks?: HooksConfig;
  /** Mountpoints to freeze and their guard; omitted or an empty list freezes nothing. */
  freeze?: Omit<FreezeOptions, 'logger' | 'signal'>;
  logger: Logger;
  /** Lets the daemon release this run on shutdown. */
  registry?: QuiesceRegistry;
  /** Per-hook limits: SIGTERM-to-SIGKILL grace (ms) and output bounds. */
  hookLimits?: { killGraceMs?: number; output?: Partial<OutputLimits> };
  /** Receives the result of every hook that ran, also when the quiesce then fails. */
  onHook?(phase: HookPhase, result: HookResult): void;
}

/** What the release did; a failed thaw or post hook is reported here, never thrown. */
export interface ReleaseResult {
  freezeWindow?: FreezeWindow;
  postHook?: HookResult;
  errors: SelfsnapError[];
}

/** A quiesced run: the creates go out now, then `release` thaws and runs the post hook. */
export interface QuiesceSession {
  /** The consistency the snapshots may claim, lower than requested after a fallback. */
  readonly consistency: Consistency;
  /** The failure a fallback continued past, which lowered the consistency. */
  readonly fallbackFrom?: SelfsnapError;
  readonly preHook?: HookResult;
  /** True once the watchdog has thawed at the deadline, so the freeze no longer holds. */
  readonly freezeExpired: boolean;
  /** True when a shutdown released the session before `release` was called. */
  readonly releasedByShutdown: boolean;
  /** Thaws, then runs the post hook with the snapshot ids; runs once, later calls share it. */
  release(snapshotIds: string[]): Promise<ReleaseResult>;
}

/**
 * Quiesces a run: pre hook, then the freeze. Once the pre hook has started, the post hook is
 * guaranteed to run: on release, when a later step fails, and when the registry releases the run
 * on shutdown. A failure aborts with HOOK_UNSAFE, HOOK_FAILED, FREEZE_REFUSED or FREEZE_FAILED,
 * unless `hooks.onFailure` is `fallback`: the run then goes on at a lower consistency.
 */
export async function quiesce(options: QuiesceOptions): Promise<QuiesceSession> {
  const attempt = new QuiesceAttempt(options);
  return attempt.run();
}

class QuiesceAttempt {
  private readonly controller = new AbortController();
  private readonly logger: Logger;
  private readonly untrack: () => void;
  private preStarted = false;
  private preOk?: boolean;
  private preHook?: HookResult;
  private frozen?: FrozenFilesystems;
  private freezeFailed = false;
  private fallbackFrom?: SelfsnapError;
  private done?: Promise<QuiesceSession>;
  private session?: QuiesceSession;
  private releasing?: Promise<ReleaseResult>;
  private releasedBy?: 'run' | 'shutdown';

  constructor(private readonly options: QuiesceOptions) {
    this.logger = options.logger.child({ runId: options.run.runId, policy: options.run.policy });
    this.untrack =
      options.registry?.track({ stop: () => this.stopForShutdown() }) ?? (() => undefined);
  }

  async run(): Promise<QuiesceSession> {
    this.done = this.quiesceOrUndo();
    return this.done;
  }

  private async quiesceOrUndo(): Promise<QuiesceSession> {
    try {
      await this.quiesce();
    } catch (error) {
      if (this.shouldRunPost()) {
        const post = await this.runPost([]);
        if (post.error !== undefined) {
          this.logger.error(
            { err: post.error },
            'post hook after a failed quiesce did not succeed',
          );
        }
      }
      this.untrack();
      throw error;
    }
    this.session = this.createSession();
    return this.session;
  }

  private async quiesce(): Promise<void> {
    const pre = this.options.hooks?.pre;
    if (pre !== undefined) await this.tryStep(() => this.runPre(pre));
    if ((this.options.freeze?.mountpoints.length ?? 0) > 0) {
      await this.tryStep(() => this.freeze());
    }
  }

  /** Runs one step; a failure aborts, or under `fallback` is logged and lowers the consistency. */
  private async tryStep(step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (caught) {
      const error = toSelfsnapError(caught, 'HOOK_FAILED');
      const fallback = this.options.hooks?.onFailure === 'fallback';
      if (!fallback || this.controller.signal.aborted) throw error;
      this.fallbackFrom ??= error;
      this.logger.warn({ err: error }, 'quiesce step failed; continuing at lower consistency');
    }
  }

  private async runPre(path: string): Promise<void> {
    this.preOk = false;
    await checkHookSafety(path);
    this.preStarted = true;
    this.preHook = await this.runHook(path, 'pre', this.options.run);
    if (this.preHook.exitCode === 0) {
      this.preOk = true;
      return;
    }
    throw new SelfsnapError('HOOK_FAILED', `pre hook ${path} ${describeEnding(this.preHook)}`);
  }

  private async freeze(): Promise<void> {
    const freeze = this.options.freeze as NonNullable<QuiesceOptions['freeze']>;
    this.freezeFailed = true;
    this.frozen = await freezeFilesystems({
      ...freeze,
      logger: this.logger.child({ stage: 'freeze' }),
      signal: this.controller.signal,
    });
    this.freezeFailed = false;
  }

  private createSession(): QuiesceSession {
    const frozen = this.frozen;
    const releasedBy = () => this.releasedBy;
    return {
      consistency: this.reachedConsistency(),
      fallbackFrom: this.fallbackFrom,
      preHook: this.preHook,
      get freezeExpired() {
        return frozen?.expired ?? false;
      },
      get releasedByShutdown() {
        return releasedBy() === 'shutdown';
      },
      release: (snapshotIds) => this.startRelease(snapshotIds, 'run'),
    };
  }

  /** Starts the release once; later calls, from the run or a shutdown, share its result. */
  private startRelease(snapshotIds: string[], by: 'run' | 'shutdown'): Promise<ReleaseResult> {
    if (this.releasing === undefined) {
      this.releasedBy = by;
      this.releasing = this.release(snapshotIds);
    }
    return this.releasing;
  }

  private async release(snapshotIds: string[]): Promise<ReleaseResult> {
    const result: ReleaseResult = { errors: [] };
    try {
      if (this.frozen !== undefined) result.freezeWindow = await this.frozen.thaw();
    } catch (error) {
      result.errors.push(toSelfsnapError(error, 'FREEZE_FAILED'));
    }
    if (this.shouldRunPost()) {
      const post = await this.runPost(snapshotIds);
      if (post.result !== undefined) result.postHook = post.result;
      if (post.error !== undefined) result.errors.push(post.error);
    }
    this.untrack();
    return result;
  }

  private async stopForShutdown(): Promise<void> {
    this.controller.abort();
    await this.done?.catch(() => undefined);
    if (this.session !== undefined) await this.startRelease([], 'shutdown');
  }

  // The post hook undoes what the pre hook did, so it runs once pre has started. Without a pre
  // hook it runs on every release.
  private shouldRunPost(): boolean {
    const hooks = this.options.hooks;
    return hooks?.post !== undefined && (hooks.pre === undefined || this.preStarted);
  }

  /** Runs the post hook; a failure comes back as `error`, next to the result when it ran. */
  private async runPost(
    snapshotIds: string[],
  ): Promise<{ result?: HookResult; error?: SelfsnapError }> {
    const path = this.options.hooks?.post as string;
    try {
      const result = await this.runHook(path, 'post', { ...this.options.run, snapshotIds });
      if (result.exitCode === 0) return { result };
      const message = `post hook ${path} ${describeEnding(result)}`;
      return { result, error: new SelfsnapError('HOOK_FAILED', message) };
    } catch (error) {
      return { error: toSelfsnapError(error, 'HOOK_FAILED') };
    }
  }

  private async runHook(path: string, phase: HookPhase, run: HookRunInfo): Promise<HookResult> {
    const result = await runHook({
      path,
      phase,
      run,
      timeoutMs: this.options.hooks?.timeout ?? 30_000,
      logger: this.logger.child({ stage: 'hook' }),
      // The post hook must run to its end even during a shutdown, so only pre takes the signal.
      signal: phase === 'pre' ? this.controller.signal : undefined,
      ...this.options.hookLimits,
    });
    this.options.onHook?.(phase, result);
    return result;
  }

  private reachedConsistency(): Consistency {
    const requested = this.options.consistency;
    if (requested === 'crash' || requested === 'group') return requested;
    const freezeListed = (this.options.freeze?.mountpoints.length ?? 0) > 0;
    const frozen = freezeListed && !this.freezeFailed;
    if (requested === 'application' && this.preOk === true && (frozen || !freezeListed)) {
      return 'application';
    }
    return frozen ? 'filesystem' : 'crash';
  }
}

function describeEnding(result: HookResult): string {
  if (result.aborted) return 'was stopped by a shutdown';
  if (result.timedOut) return `timed out after ${result.durationMs} ms`;
  if (result.signal !== null) return `was killed by ${result.signal}`;
  return `failed (exit code ${result.exitCode})`;
}
