import { dirname } from 'node:path';
import type { PolicyConfig, SelfsnapConfig } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type {
  ConsistencyCorrection,
  ConsistencyLevel,
  RunHooks,
  RunRecord,
} from '../snapshot/index.js';
import type { ProtectedPath } from './freeze-targets.js';
import { runFsfreeze } from './fsfreeze.js';
import type { MountEntry } from './mount-table.js';
import { quiesce, type QuiesceSession, type ReleaseResult } from './quiesce.js';
import type { QuiesceRegistry } from './quiesce-registry.js';
import { runHook, type HookPhase, type HookResult } from './run-hook.js';

/** Dependencies of the run engine's quiesce and release steps, supplied by the daemon. */
export interface ConsistencyHooksOptions {
  registry: QuiesceRegistry;
  logger: Logger;
  /** selfsnap's own paths, whose filesystems are never frozen; see `selfsnapPaths`. */
  protectedPaths: ProtectedPath[];
  /** Tells whether the filesystem mounted here lives on one of the disks the run snapshots. */
  isOnRunDisks(run: RunRecord, mount: MountEntry): boolean | Promise<boolean>;
}

/** Lists the paths of a config that must stay writable: the state folder and the socket folder. */
export function selfsnapPaths(config: SelfsnapConfig): ProtectedPath[] {
  return [
    { path: config.stateDir, role: 'state folder' },
    { path: dirname(config.socket.path), role: 'socket folder' },
  ];
}

/**
 * Creates the run engine's `quiesce` and `release` steps: pre hook and freeze before the creates,
 * thaw and post hook once they are accepted. Hook outcomes and the freeze window go into the run
 * record. The release returns a correction to `crash` when the quiesce may have ended before the
 * creates were accepted. A release for a run quiesced by an earlier daemon, which has no session
 * here, thaws the policy's mountpoints and runs its post hook.
 */
export function createConsistencyHooks(
  options: ConsistencyHooksOptions,
): Required<Pick<RunHooks, 'quiesce' | 'release'>> {
  // A run whose quiesce failed maps to 'released': quiesce already ran its post hook.
  const sessions = new Map<string, QuiesceSession | 'released'>();

  return {
    async quiesce(run: RunRecord, policy: PolicyConfig): Promise<ConsistencyLevel> {
      try {
        const session = await quiesceRun(run, policy, options);
        sessions.set(run.id, session);
        return session.consistency;
      } catch (error) {
        sessions.set(run.id, 'released');
        throw error;
      }
    },

    async release(run: RunRecord, policy: PolicyConfig) {
      const logger = options.logger.child({ runId: run.id, policy: run.policy });
      const session = sessions.get(run.id);
      sessions.delete(run.id);
      if (session === 'released') return undefined;
      if (session === undefined) return releaseAfterRestart(run, policy, logger);

      const result = await session.release(snapshotIds(run));
      if (result.freezeWindow !== undefined) run.freezeWindowMs = result.freezeWindow.durationMs;
      logRelease(result, logger, run);
      return checkQuiesceHeld(session, result, policy.freezeTimeout);
    },
  };
}

/** Quiesces a run for its policy; a fallback's failure becomes the run's consistency reason. */
async function quiesceRun(
  run: RunRecord,
  policy: PolicyConfig,
  options: ConsistencyHooksOptions,
): Promise<QuiesceSession> {
  const session = await quiesce({
    run: describeRun(run),
    consistency: run.consistency?.requested ?? policy.consistency,
    hooks: policy.hooks,
    freeze: {
      mountpoints: policy.freeze,
      timeoutMs: policy.freezeTimeout,
      protectedPaths: options.protectedPaths,
      isOnSelectedDisks: (mount) => options.isOnRunDisks(run, mount),
    },
    logger: options.logger,
    registry: options.registry,
    onHook: (phase, result) => recordHook(run, phase, result),
  });
  const fallback = session.fallbackFrom;
  if (fallback !== undefined && run.consistency !== undefined) {
    run.consistency.reason = `${fallback.message}; continued under onFailure: fallback`;
  }
  return session;
}

function describeRun(run: RunRecord) {
  return {
    policy: run.policy,
    trigger: run.trigger,
    reason: run.reason,
    runId: run.id,
    diskIds: run.disks.map((disk) => disk.diskId),
  };
}

function snapshotIds(run: RunRecord): string[] {
  return run.disks.flatMap((disk) => (disk.snapshotId === undefined ? [] : [disk.snapshotId]));
}

/** Stores how a hook ended in the run record, where the socket, the CLI and metrics read it. */
function recordHook(run: RunRecord, phase: HookPhase, result: HookResult): void {
  const { durationMs, exitCode, timedOut } = result;
  run.hooks = { ...run.hooks, [phase]: { durationMs, exitCode, timedOut } };
}

function logRelease(result: ReleaseResult, logger: Logger, run: RunRecord): void {
  for (const error of result.errors) logger.error({ err: error }, 'release step failed');
  if (result.freezeWindow?.expired === true) {
    logger.warn({ freezeWindow: result.freezeWindow }, 'freeze deadline passed before release');
  }
  logger.info({ freezeWindowMs: run.freezeWindowMs, hooks: run.hooks }, 'run released');
}

/**
 * Returns a correction to `crash` when the quiesce may have ended before every create was
 * accepted: a shutdown released it first, or the watchdog thawed at the deadline, or a thaw
 * failed (a filesystem found already thawed fails it too). The release runs after the last
 * create has returned, so a thaw that succeeds on every filesystem proves the freeze held.
 */
export function checkQuiesceHeld(
  session: Pick<QuiesceSession, 'consistency' | 'releasedByShutdown'>,
  result: ReleaseResult,
  freezeTimeoutMs: number,
): ConsistencyCorrection | undefined {
  if (session.consistency === 'crash' || session.consistency === 'group') return undefined;
  const reason = (why: string) => ({
    consistency: 'crash' as const,
    reason: `${why}, so the ${session.consistency} quiesce may have ended before the creates were accepted`,
  });
  if (session.releasedByShutdown) return reason('the daemon stopped and released the run first');
  if (result.freezeWindow?.expired === true) {
    return reason(`the watchdog thawed at the freeze deadline (${freezeTimeoutMs} ms)`);
  }
  const thawFailure = result.errors.find((error) => error.code === 'FREEZE_FAILED');
  if (thawFailure !== undefined) return reason(`the thaw failed (${thawFailure.message})`);
  return undefined;
}

/**
 * Finishes the release of a run whose daemon died while it was quiesced. The watchdog has thawed
 * already unless it was killed as well, so a thaw pass runs anyway; EINVAL means not frozen.
 * The journal does not record when the quiesce ended, so a run that claimed more is lowered.
 */
async function releaseAfterRestart(
  run: RunRecord,
  policy: PolicyConfig,
  logger: Logger,
): Promise<ConsistencyCorrection | undefined> {
  // Shallowest first: a nested filesystem can only thaw once its parent is writable.
  const thawOrder = [...policy.freeze].sort((a, b) => depth(a) - depth(b));
  for (const mountpoint of thawOrder) {
    const result = await runFsfreeze('thaw', mountpoint);
    if (result.ok) logger.warn({ mountpoint }, 'thawed a filesystem left frozen before a restart');
  }
  await runPostAfterRestart(run, policy, logger);

  const claimed = run.consistency?.applied;
  if (claimed !== 'filesystem' && claimed !== 'application') return undefined;
  const why = 'the daemon restarted while the run was quiesced';
  return {
    consistency: 'crash',
    reason: `${why}, so the ${claimed} quiesce may have ended before the creates were accepted`,
  };
}

async function runPostAfterRestart(run: RunRecord, policy: PolicyConfig, logger: Logger) {
  const post = policy.hooks?.post;
  if (post === undefined) return;
  try {
    const result = await runHook({
      path: post,
      phase: 'post',
      run: { ...describeRun(run), snapshotIds: snapshotIds(run) },
      timeoutMs: policy.hooks?.timeout ?? 30_000,
      logger,
    });
    recordHook(run, 'post', result);
  } catch (error) {
    logger.error({ err: error }, 'post hook after a restart did not run');
  }
}

function depth(path: string): number {
  return path.split('/').filter(Boolean).length;
}
