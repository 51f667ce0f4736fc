import { randomBytes } from 'node:crypto';
import { toSelfsnapError } from '../errors/index.js';
import type { RunRecord } from '../snapshot/index.js';
import type { TriggerAnswer } from '../socket/index.js';
import {
  formatHookReason,
  REASON_MAX,
  type HookPhase,
  type PackageManager,
} from '../triggers/index.js';
import { describeFailure, type HookOutcome } from './hook-outcome.js';
import { takePendingTransaction, savePendingTransaction } from './hook-state.js';
import type { HookSettings } from './load-hook-settings.js';
import type { PackageChange } from './package-change.js';
import { summarizeChanges } from './package-change.js';
import { parseAptHookInput } from './parse-apt-hook-input.js';
import { parseDnfHookInput } from './parse-dnf-hook-input.js';
import { triggerHookRun } from './trigger-hook-run.js';

/** One call of a package hook, as `selfsnap hooks run` receives it. */
export interface PackageHookRequest {
  manager: PackageManager;
  phase: HookPhase;
  /** Text the package manager wrote to the hook's stdin. */
  input: string;
  /** Set by the dnf plugin, which keeps the id in memory between its two hooks. */
  transaction?: string;
  /** True when SELFSNAP_HOOK_SKIP is set, which means going on without a restore point. */
  skip: boolean;
}

/**
 * Requests a restore point from the daemon around a package transaction and decides whether the
 * transaction may proceed. Resolves to undefined when there is nothing to snapshot, because no
 * package changes or because a post hook has no pre hook.
 */
export async function runPackageHook(
  request: PackageHookRequest,
  settings: HookSettings,
): Promise<HookOutcome | undefined> {
  const { manager, phase } = request;
  const base = { manager, phase, at: new Date().toISOString() };
  if (request.skip) {
    const message = `SELFSNAP_HOOK_SKIP is set: no restore point ${phase === 'pre' ? 'before' : 'after'} this ${manager} transaction`;
    return { ...base, result: 'skipped', message };
  }
  const target = await describeTransaction(request, settings);
  if (target === undefined) return undefined;

  const reason = formatHookReason({ manager, phase, ...target });
  const outcome = { ...base, transaction: target.transaction, reason };
  try {
    const answer = await triggerHookRun(settings, reason, phase);
    const failure = findFailure(answer, settings);
    if (failure === undefined) return describeSuccess(outcome, answer.run);
    return fail(outcome, settings, failure, answer.run.id);
  } catch (error) {
    const wrapped = toSelfsnapError(error);
    return fail(outcome, settings, { code: wrapped.code, message: wrapped.message });
  }
}

async function describeTransaction(
  request: PackageHookRequest,
  settings: HookSettings,
): Promise<{ transaction: string; summary: string } | undefined> {
  const prefixLength = 'apt post : '.length + 32;
  const changes = parseChanges(request.manager, request.input);
  const summary = summarizeChanges(changes, REASON_MAX - prefixLength);

  if (request.phase === 'post') {
    const pending = await takePendingTransaction(settings.stateDir, request.manager);
    const transaction = request.transaction ?? pending?.transaction;
    if (transaction === undefined) return undefined;
    return { transaction, summary: changes.length > 0 ? summary : (pending?.summary ?? '') };
  }
  if (changes.length === 0) return undefined;
  const transaction = request.transaction ?? randomBytes(6).toString('hex');
  if (request.manager === 'apt') {
    const pending = { transaction, summary, startedAt: new Date().toISOString() };
    // Without this file the post hook makes no snapshot, which is no reason to stop the upgrade.
    await savePendingTransaction(settings.stateDir, 'apt', pending).catch(() => undefined);
  }
  return { transaction, summary };
}

function parseChanges(manager: PackageManager, input: string): PackageChange[] {
  return manager === 'apt' ? parseAptHookInput(input) : parseDnfHookInput(input);
}

function findFailure(
  answer: TriggerAnswer,
  settings: HookSettings,
): { code: string; message: string } | undefined {
  const { run } = answer;
  const failedDisk = run.disks.find((disk) => disk.status === 'failed');
  if (run.status === 'failed') {
    const detail = run.error?.message ?? failedDisk?.error?.message ?? 'no detail';
    return { code: run.error?.code ?? 'RUN_FAILED', message: `run ${run.id} failed: ${detail}` };
  }
  if (failedDisk !== undefined) {
    const detail = failedDisk.error?.message ?? 'no detail';
    return {
      code: 'RUN_PARTIAL',
      message: `run ${run.id} has no snapshot of disk ${failedDisk.diskId}: ${detail}`,
    };
  }
  if (answer.timedOut) {
    const seconds = settings.timeoutMs / 1000;
    return {
      code: 'TIMEOUT',
      message: `run ${run.id} was not ${settings.wait} within triggers.hook.timeout (${seconds}s); it goes on in the daemon`,
    };
  }
  return undefined;
}

function describeSuccess(
  outcome: Omit<HookOutcome, 'result' | 'message'>,
  run: RunRecord,
): HookOutcome {
  const snapshotIds = run.disks.flatMap((disk) => disk.snapshotId ?? []);
  const when = outcome.phase === 'pre' ? 'before' : 'after';
  const common = { ...outcome, runId: run.id, snapshotIds };
  if (run.reason === outcome.reason) {
    const message = `restore point ${when} this ${outcome.manager} transaction: run ${run.id}, snapshots ${snapshotIds.join(', ') || 'pending'}`;
    return { ...common, result: 'created', message };
  }
  // The daemon returned another run: one within triggers.hook.minInterval, or one in flight for
  // the same disks.
  const ageSeconds = Math.round((Date.now() - Date.parse(run.startedAt)) / 1000);
  const message = `restore point ${when} this ${outcome.manager} transaction: reused run ${run.id} (${run.trigger}, started ${ageSeconds}s ago), within triggers.hook.minInterval or still in flight`;
  return { ...common, result: 'reused', message };
}

function fail(
  outcome: Omit<HookOutcome, 'result' | 'message'>,
  settings: HookSettings,
  error: { code: string; message: string },
  runId?: string,
): HookOutcome {
  const blocked = settings.failClosed && outcome.phase === 'pre';
  const cause =
    settings.configError === undefined
      ? error.message
      : `${error.message} (config not used: ${settings.configError})`;
  return {
    ...outcome,
    result: blocked ? 'failed-closed' : 'failed-open',
    message: describeFailure(outcome.manager, outcome.phase, cause, blocked),
    error,
    ...(runId === undefined ? {} : { runId }),
  };
}
