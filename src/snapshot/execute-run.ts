import type { PolicyConfig } from '../config/index.js';
import type { JournalStep } from './journal-step.js';
import { createDiskSnapshots } from './create-disk-snapshots.js';
import { createSnapshotGroup } from './create-snapshot-group.js';
import { applyPlan, selectRunDisks } from './plan-run.js';
import { pruneIfAsked } from './prune-step.js';
import { releaseIfQuiesced, quiesceIfAsked } from './quiesce-step.js';
import { recordError } from './record-error.js';
import type { RunContext } from './run-context.js';
import type { RunRecord } from './run-record.js';
import { waitForSnapshots, type WaitOutcome } from './wait-for-snapshots.js';

/**
 * Runs one snapshot run as far as it can go: plan, quiesce, create, release, wait, prune, record.
 * Steps already journaled in `run` are skipped, so a run read back from the state folder after a
 * crash resumes where it stopped, and a prune cut short by a crash is planned again from a new
 * listing. The run stays `running` when the daemon stops (`context.signal`) or
 * the wait outlasts `maxWait`; a later call finishes it. Failures are recorded in the run, never thrown.
 */
export async function executeRun(
  run: RunRecord,
  policy: PolicyConfig,
  context: RunContext,
): Promise<RunRecord> {
  const logger = context.logger.child({ runId: run.id, policy: run.policy });
  const runContext: RunContext = { ...context, logger };
  let outcome: WaitOutcome = 'finished';
  try {
    if (run.phase === 'planning') await planResumedRun(run, policy, runContext);
    if (run.phase === 'creating') await createPhase(run, policy, runContext);
    if (run.phase === 'creating') outcome = 'stopped';
    if (run.phase === 'waiting') {
      await releaseIfQuiesced(run, policy, runContext);
      outcome = await waitForSnapshots(run, policy, runContext);
      if (outcome === 'finished') await pruneIfAsked(run, policy, runContext);
    }
  } catch (error) {
    run.error = recordError(error);
    logger.error({ err: run.error }, 'run failed');
  }

  if (run.error === undefined && outcome === 'stopped') {
    await context.journal(run, 'run-interrupted');
    logger.info({ phase: run.phase }, 'run interrupted; it resumes on the next start');
    return run;
  }
  if (run.error === undefined && outcome === 'parked') return run;
  finishRun(run);
  await context.journal(run, 'run-finished');
  logger.info({ status: run.status, durationMs: elapsedMs(run) }, 'run finished');
  return run;
}

async function planResumedRun(run: RunRecord, policy: PolicyConfig, context: RunContext) {
  const disks = await selectRunDisks(run.instanceId, policy, context);
  applyPlan(run, disks, policy, context);
  await context.journal(run, 'run-planned');
}

/**
 * Quiesces, creates and releases, then moves the run to `waiting` unless the daemon is stopping.
 * The release comes as soon as every create has returned. The snapshot ids, the release and the
 * acceptance are journaled after it, in one write.
 */
async function createPhase(run: RunRecord, policy: PolicyConfig, context: RunContext) {
  const steps: JournalStep[] = [];
  try {
    const quiesced = withLeadingSteps(context, await quiesceIfAsked(run, policy, context));
    const grouped =
      run.snapshotGroup === undefined
        ? 'fall-back'
        : await createSnapshotGroup(run, policy, quiesced.context);
    if (grouped === 'fall-back') {
      steps.push(...(await createDiskSnapshots(run, policy, quiesced.context)));
    }
    steps.unshift(...quiesced.unwritten());
  } catch (error) {
    await releaseIfQuiesced(run, policy, context);
    throw error;
  }
  steps.push(...(await releaseIfQuiesced(run, policy, context, 'deferred')));

  const unsent = run.disks.some((disk) => disk.status === 'pending' || disk.status === 'creating');
  if (unsent && context.signal?.aborted === true) {
    if (steps.length > 0) await context.journal(run, steps);
    return;
  }
  run.phase = 'waiting';
  run.acceptedAt = new Date().toISOString();
  await context.journal(run, [...steps, 'run-accepted']);
}

/**
 * Wraps a run context so that its first journal write also counts as reaching `steps`;
 * `unwritten()` returns them when no write happened.
 */
function withLeadingSteps(context: RunContext, steps: JournalStep[]) {
  let pending = steps;
  const journal: RunContext['journal'] = (run, reached) => {
    const all = [...pending, ...(typeof reached === 'string' ? [reached] : reached)];
    pending = [];
    return context.journal(run, all);
  };
  return {
    context: pending.length === 0 ? context : { ...context, journal },
    unwritten: () => {
      const left = pending;
      pending = [];
      return left;
    },
  };
}

/**
 * Ends a run: `succeeded` when every disk is accomplished and the prune deleted or deferred all it
 * planned, `partial` when some disks are accomplished or a snapshot proved undeletable, else
 * `failed`.
 */
export function finishRun(run: RunRecord): void {
  if (run.error === undefined && run.disks.length === 0) {
    run.error = { code: 'DISK_NOT_FOUND', message: 'the policy selects no disks on this instance' };
  }
  const done = run.disks.filter((disk) => disk.status === 'accomplished').length;
  const undeletable = run.prune?.undeletable.length ?? 0;
  if (run.error !== undefined || done === 0) run.status = 'failed';
  else if (done === run.disks.length && undeletable === 0) run.status = 'succeeded';
  else run.status = 'partial';
  run.phase = 'done';
  run.finishedAt = new Date().toISOString();
}

function elapsedMs(run: RunRecord): number {
  return Date.parse(run.finishedAt ?? new Date().toISOString()) - Date.parse(run.startedAt);
}
