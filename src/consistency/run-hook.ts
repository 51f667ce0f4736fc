import { spawn, type ChildProcess } from 'node:child_process';
import { SelfsnapError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { checkHookSafety } from './hook-safety.js';
import { HookOutputLogger, type OutputLimits } from './hook-output.js';

/** When a hook runs: `pre` before the freeze and the creates, `post` after the release. */
export type HookPhase = 'pre' | 'post';

/** The run described to a hook through `SELFSNAP_*` environment variables. */
export interface HookRunInfo {
  policy: string;
  trigger: string;
  reason?: string;
  runId: string;
  diskIds: string[];
  /** Snapshot ids accepted so far; passed to `post` only. */
  snapshotIds?: string[];
}

/** Options of one hook execution. */
export interface RunHookOptions {
  path: string;
  phase: HookPhase;
  run: HookRunInfo;
  timeoutMs: number;
  logger: Logger;
  /** Time between SIGTERM and SIGKILL once the timeout passes or `signal` aborts, in ms. */
  killGraceMs?: number;
  output?: Partial<OutputLimits>;
  /** Stops the hook early, the same way a timeout does. */
  signal?: AbortSignal;
}

/** Outcome of one hook execution; `exitCode` is null when a signal ended the hook. */
export interface HookResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  durationMs: number;
}

const DEFAULT_KILL_GRACE_MS = 2000;
const DEFAULT_OUTPUT: OutputLimits = { maxLines: 200, maxLineLength: 1000 };
// After the hook exits, wait this long for its output pipes to close: a background process it
// started may hold them open for good.
const OUTPUT_DRAIN_MS = 1000;
const RUN_VARIABLES = [
  'SELFSNAP_POLICY',
  'SELFSNAP_TRIGGER',
  'SELFSNAP_REASON',
  'SELFSNAP_RUN_ID',
  'SELFSNAP_DISK_IDS',
  'SELFSNAP_SNAPSHOT_IDS',
  'SELFSNAP_PHASE',
];

/**
 * Runs a hook executable without a shell after checking its safety, logs its output and kills its
 * whole process group with SIGTERM, then SIGKILL, when it outlives its timeout.
 */
export async function runHook(options: RunHookOptions): Promise<HookResult> {
  const target = await checkHookSafety(options.path);
  const logger = options.logger.child({
    hook: options.path,
    phase: options.phase,
    runId: options.run.runId,
  });
  const output = new HookOutputLogger(logger, { ...DEFAULT_OUTPUT, ...options.output });
  const startedAt = performance.now();

  logger.info('hook started');
  // detached: the hook leads its own process group, so a timeout can kill everything it started.
  const child = spawn(target, [], {
    cwd: '/',
    detached: true,
    env: buildHookEnv(options.phase, options.run),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  output.follow(child.stdout as NonNullable<typeof child.stdout>, 'stdout');
  output.follow(child.stderr as NonNullable<typeof child.stderr>, 'stderr');

  const ending = await waitForHook(child, options);
  output.finish();
  const result = { ...ending, durationMs: Math.round(performance.now() - startedAt) };
  const failed = result.exitCode !== 0;
  logger[failed ? 'error' : 'info'](result, failed ? 'hook failed' : 'hook finished');
  return result;
}

/** Builds the hook's environment: the daemon's own, with the run described in `SELFSNAP_*`. */
export function buildHookEnv(
  phase: HookPhase,
  run: HookRunInfo,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const inherited = Object.entries(base).filter(([name]) => !RUN_VARIABLES.includes(name));
  const env: NodeJS.ProcessEnv = Object.fromEntries(inherited);
  Object.assign(env, {
    SELFSNAP_POLICY: run.policy,
    SELFSNAP_TRIGGER: run.trigger,
    SELFSNAP_REASON: run.reason ?? '',
    SELFSNAP_RUN_ID: run.runId,
    SELFSNAP_DISK_IDS: run.diskIds.join(','),
    SELFSNAP_PHASE: phase,
  });
  if (phase === 'post') env.SELFSNAP_SNAPSHOT_IDS = (run.snapshotIds ?? []).join(',');
  return env;
}

type HookEnding = Omit<HookResult, 'durationMs'>;

function waitForHook(child: ChildProcess, options: RunHookOptions): Promise<HookEnding> {
  const stopper = new HookStopper(child, options);
  return new Promise<HookEnding>((resolve, reject) => {
    child.once('error', (error) => {
      stopper.disarm();
      const message = `hook ${options.path} did not start: ${error.message}`;
      reject(new SelfsnapError('HOOK_FAILED', message, { cause: error }));
    });
    child.once('exit', (exitCode, signal) => {
      stopper.disarm();
      const drain = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, OUTPUT_DRAIN_MS);
      child.once('close', () => {
        clearTimeout(drain);
        resolve({ exitCode, signal, timedOut: stopper.timedOut, aborted: stopper.aborted });
      });
    });
  });
}

/** Stops a hook's process group at its timeout or on abort: SIGTERM, then SIGKILL after grace. */
class HookStopper {
  timedOut = false;
  aborted = false;
  private readonly timeoutTimer: NodeJS.Timeout;
  private killTimer?: NodeJS.Timeout;
  private readonly onAbort = () => {
    this.aborted = true;
    this.stop();
  };

  constructor(
    private readonly child: ChildProcess,
    private readonly options: RunHookOptions,
  ) {
    this.timeoutTimer = setTimeout(() => {
      this.timedOut = true;
      this.stop();
    }, options.timeoutMs);
    if (options.signal?.aborted) this.onAbort();
    else options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Cancels the timeout once the hook has exited. */
  disarm(): void {
    clearTimeout(this.timeoutTimer);
    this.options.signal?.removeEventListener('abort', this.onAbort);
    // A stopped hook's group still gets its SIGKILL: a child may ignore SIGTERM and outlive it.
    if (this.timedOut || this.aborted) this.killTimer?.unref();
    else clearTimeout(this.killTimer);
  }

  private stop(): void {
    if (this.killTimer !== undefined) return;
    signalGroup(this.child, 'SIGTERM');
    const grace = this.options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
    this.killTimer = setTimeout(() => signalGroup(this.child, 'SIGKILL'), grace);
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: every process of the group has already exited.
  }
}
