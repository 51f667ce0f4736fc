import type { HookPhase, PackageManager } from '../triggers/index.js';
import { HOOK_EXIT } from './hook-exit.js';

/**
 * The result of one package hook: a new run, a recent or in-flight run reused, skipped on request,
 * or no restore point, in which case the transaction either proceeds or is stopped.
 */
export type HookResult = 'created' | 'reused' | 'skipped' | 'failed-open' | 'failed-closed';

/** The outcome of one package hook, as `selfsnap hooks run` prints and stores it. */
export interface HookOutcome {
  result: HookResult;
  manager: PackageManager;
  phase: HookPhase;
  at: string;
  /** One line for the terminal and the log. */
  message: string;
  transaction?: string;
  runId?: string;
  reason?: string;
  snapshotIds?: string[];
  error?: { code: string; message: string };
}

/** Maps an outcome to the exit status the apt hook script and the dnf plugin act on. */
export function hookExitCode(outcome: HookOutcome): number {
  if (outcome.result === 'failed-closed') return HOOK_EXIT.failedClosed;
  if (outcome.result === 'failed-open') return HOOK_EXIT.failedOpen;
  return HOOK_EXIT.ok;
}

/** Builds the message of a hook that made no restore point, saying whether the upgrade goes on. */
export function describeFailure(
  manager: PackageManager,
  phase: HookPhase,
  cause: string,
  blocked: boolean,
): string {
  const when = phase === 'pre' ? 'before' : 'after';
  const head = `no restore point ${when} this ${manager} transaction: ${cause}.`;
  if (blocked) {
    return (
      `ERROR: ${head} Failing closed: the transaction is stopped because ` +
      'triggers.hook.failClosed is true. Fix the cause, or set SELFSNAP_HOOK_SKIP=1 to go on ' +
      'without a restore point.'
    );
  }
  if (phase === 'post') return `WARNING: ${head} The transaction itself has finished.`;
  return `WARNING: ${head} Failing open: the transaction proceeds because triggers.hook.failClosed is false.`;
}
