import { SelfsnapError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { flushFilesystem } from './flush-filesystem.js';
import { resolveFreezeTargets, type FreezeGuard } from './freeze-targets.js';
import { runFsfreeze } from './fsfreeze.js';
import { WatchdogProcess, type WatchdogCommandLine } from './watchdog-process.js';

/** Options of one freeze. */
export interface FreezeOptions extends FreezeGuard {
  /** Mountpoints as the policy lists them. */
  mountpoints: string[];
  /** Deadline from the watchdog's start to the forced thaw, in ms (`freezeTimeout`). */
  timeoutMs: number;
  logger: Logger;
  watchdogCommand?: WatchdogCommandLine;
  watchdogStderr?: 'inherit' | 'ignore';
  /** Stops freezing further filesystems and thaws the ones already frozen. */
  signal?: AbortSignal;
}

/** How long filesystems stayed frozen, from the first freeze call to the end of the last thaw. */
export interface FreezeWindow {
  mountpoints: string[];
  frozenAt: string;
  durationMs: number;
  /**
   * True when the freeze may have ended before the daemon's thaw: the deadline had passed when the
   * thaw started, or the watchdog had thawed a filesystem first.
   */
  expired: boolean;
}

/** Filesystems frozen for one run, until `thaw()`. */
export interface FrozenFilesystems {
  /** Mountpoints in the order they were frozen. */
  readonly mountpoints: string[];
  /** True once the deadline has passed, so the watchdog may have thawed. */
  readonly expired: boolean;
  /** Process id of the thaw watchdog, for logs. */
  readonly watchdogPid?: number;
  /** Thaws every filesystem in reverse freeze order, then releases the watchdog; idempotent. */
  thaw(): Promise<FreezeWindow>;
}

/**
 * Freezes the listed filesystems, deepest mountpoint first, under a watchdog process that thaws
 * them at the deadline or as soon as this process dies. Throws FREEZE_REFUSED or FREEZE_FAILED,
 * and leaves nothing frozen when it throws.
 */
export async function freezeFilesystems(options: FreezeOptions): Promise<FrozenFilesystems> {
  const targets = await resolveFreezeTargets(options.mountpoints, options);
  if (targets.length === 0) {
    throw new SelfsnapError('FREEZE_REFUSED', 'no mountpoints to freeze; list them in freeze');
  }
  const logger = options.logger;
  const [watchdog] = await Promise.all([
    WatchdogProcess.start({
      timeoutMs: options.timeoutMs,
      logger,
      command: options.watchdogCommand,
      stderr: options.watchdogStderr,
    }),
    flushAll(
      targets.map((target) => target.mountPoint),
      logger,
    ),
  ]);
  const startedAt = new Date();
  const startedMs = performance.now();
  const frozen: string[] = [];

  for (const { mountPoint: mountpoint } of targets) {
    const stopped = stopReason(watchdog, options.signal);
    const result = stopped === undefined ? await freezeOne(watchdog, mountpoint) : undefined;
    if (result?.ok === true) {
      frozen.push(mountpoint);
      continue;
    }
    await thawAll(frozen, watchdog);
    const reason = stopped ?? `fsfreeze -f failed: ${result?.message}`;
    const message = `cannot freeze ${mountpoint}: ${reason}; thawed ${frozen.length} filesystem(s)`;
    throw new SelfsnapError('FREEZE_FAILED', message);
  }

  logger.info(
    { mountpoints: frozen, freezeMs: Math.round(performance.now() - startedMs) },
    'filesystems frozen',
  );
  return createHandle(frozen, watchdog, logger, { startedAt, startedMs });
}

/**
 * Flushes the filesystems before any is frozen. Otherwise `fsfreeze -f` writes out all dirty data
 * while the filesystem is already frozen, and that time counts in the freeze window. Data written
 * between the flush and the freeze is still flushed by the freeze.
 * NOTE: a freeze also waits for RCU grace periods in the kernel, which no flush shortens: 35-50 ms
 * per cold freeze of an idle ext4 on a loop device on a busy 2-vCPU VM, 2-3 ms when repeated.
 */
async function flushAll(mountpoints: string[], logger: Logger): Promise<void> {
  const startedMs = performance.now();
  const failures = await Promise.all(mountpoints.map((mountpoint) => flushFilesystem(mountpoint)));
  const failed = failures.filter((failure) => failure !== undefined);
  const flushMs = Math.round(performance.now() - startedMs);
  if (failed.length > 0) {
    logger.warn({ mountpoints, failures: failed }, 'flush before freeze failed');
    return;
  }
  logger.debug({ mountpoints, flushMs }, 'filesystems flushed');
}

function stopReason(watchdog: WatchdogProcess, signal?: AbortSignal): string | undefined {
  if (signal?.aborted) return 'the run was stopped';
  if (watchdog.expired) return 'the freeze deadline passed';
  if (!watchdog.armed) return 'the thaw watchdog exited';
  return undefined;
}

function freezeOne(watchdog: WatchdogProcess, mountpoint: string) {
  // Announce first: if this process dies while fsfreeze runs, the watchdog still thaws it.
  watchdog.announceFreeze(mountpoint);
  return runFsfreeze('freeze', mountpoint);
}

/**
 * Thaws in reverse order, then releases the watchdog, or abandons it so it retries at once.
 * Returns the failures, and whether the watchdog had thawed a filesystem first.
 */
async function thawAll(
  frozen: string[],
  watchdog: WatchdogProcess,
): Promise<{ failures: string[]; thawedByWatchdog: boolean }> {
  const failures: string[] = [];
  let thawedByWatchdog = false;
  for (const mountpoint of [...frozen].reverse()) {
    const result = await runFsfreeze('thaw', mountpoint);
    // Not frozen after the deadline means the watchdog thawed it first.
    if (!result.ok && result.notFrozen && watchdog.expired) thawedByWatchdog = true;
    else if (!result.ok) failures.push(`${mountpoint}: ${result.message}`);
  }
  if (failures.length === 0) watchdog.release();
  else watchdog.abandon();
  return { failures, thawedByWatchdog };
}

function createHandle(
  frozen: string[],
  watchdog: WatchdogProcess,
  logger: Logger,
  start: { startedAt: Date; startedMs: number },
): FrozenFilesystems {
  let thawing: Promise<FreezeWindow> | undefined;

  const thaw = async (): Promise<FreezeWindow> => {
    const expiredBeforeThaw = watchdog.expired;
    const { failures, thawedByWatchdog } = await thawAll(frozen, watchdog);
    const window: FreezeWindow = {
      mountpoints: frozen,
      frozenAt: start.startedAt.toISOString(),
      durationMs: Math.round(performance.now() - start.startedMs),
      expired: expiredBeforeThaw || thawedByWatchdog,
    };
    if (failures.length > 0) {
      logger.error({ failures, ...window }, 'thaw failed; the watchdog retries now');
      const message = `cannot thaw ${failures.join('; ')}`;
      throw new SelfsnapError('FREEZE_FAILED', message);
    }
    logger.info(window, 'filesystems thawed');
    return window;
  };

  return {
    mountpoints: frozen,
    watchdogPid: watchdog.pid,
    get expired() {
      return watchdog.expired;
    },
    thaw: () => (thawing ??= thaw()),
  };
}
