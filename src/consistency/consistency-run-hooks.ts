import { dirname } from 'node:path';
import type { PolicyConfig, SelfsnapConfig } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { ConsistencyLevel, RunHooks, RunRecord } from '../snapshot/index.js';
import type { ProtectedPath } from './freeze-targets.js';
import { runFsfreeze } from './fsfreeze.js';
import type { MountEntry } from './mount-table.js';
import { quiesce, type QuiesceSession, type ReleaseResult } from './quiesce.js';
import type { QuiesceRegistry } from './quiesce-registry.js';
import { runHook } from './run-hook.js';

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
 * thaw and post hook once they are accepted. A release for a run quiesced by an earlier daemon,
 * which has no session here, thaws the policy's mountpoints and runs its post hook.
 */
export function createConsistencyHooks(
  options: ConsistencyHooksOptions,
): Required<Pick<RunHooks, 'quiesce' | 'release'>> {
  // A run whose quiesce failed maps to 'released': quiesce already ran its post hook.
  const sessions = new Map<string, QuiesceSession | 'released'>();

  return {
    async quiesce(run: RunRecord, policy: PolicyConfig): Promise<ConsistencyLevel> {
      try {
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
        });
        sessions.set(run.id, session);
        return session.consistency;
      } catch (error) {
        sessions.set(run.id, 'released');
        throw error;
      }
    },

    async release(run: RunRecord, policy: PolicyConfig): Promise<void> {
      const logger = options.logger.child({ runId: run.id, policy: run.policy });
      const session = sessions.get(run.id);
      sessions.delete(run.id);
      if (session === 'released') return;
      if (session === undefined) {
        await releaseAfterRestart(run, policy, logger);
        return;
      }
      logRelease(await session.release(snapshotIds(run)), logger);
    },
  };
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

function logRelease(result: ReleaseResult, logger: Logger): void {
  for (const error of result.errors) logger.error({ err: error }, 'release step failed');
  if (result.freezeWindow?.expired === true) {
    // The watchdog thawed before the release, so a create accepted after the deadline saw a
    // filesystem that was no longer frozen and is only crash-consistent.
    logger.warn({ freezeWindow: result.freezeWindow }, 'freeze deadline passed before release');
  }
}

/**
 * Finishes the release of a run whose daemon died while it was quiesced. The watchdog has thawed
 * already unless it was killed as well, so a thaw pass runs anyway; EINVAL means not frozen.
 */
async function releaseAfterRestart(run: RunRecord, policy: PolicyConfig, logger: Logger) {
  // Shallowest first: a nested filesystem can only thaw once its parent is writable.
  const thawOrder = [...policy.freeze].sort((a, b) => depth(a) - depth(b));
  for (const mountpoint of thawOrder) {
    const result = await runFsfreeze('thaw', mountpoint);
    if (result.ok) logger.warn({ mountpoint }, 'thawed a filesystem left frozen before a restart');
  }
  const post = policy.hooks?.post;
  if (post === undefined) return;
  try {
    await runHook({
      path: post,
      phase: 'post',
      run: { ...describeRun(run), snapshotIds: snapshotIds(run) },
      timeoutMs: policy.hooks?.timeout ?? 30_000,
      logger,
    });
  } catch (error) {
    logger.error({ err: error }, 'post hook after a restart did not run');
  }
}

function depth(path: string): number {
  return path.split('/').filter(Boolean).length;
}
