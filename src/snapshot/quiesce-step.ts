import type { PolicyConfig } from '../config/index.js';
import type { JournalStep } from './journal-step.js';
import { lowerRunConsistency } from './lower-consistency.js';
import type { RunContext } from './run-context.js';
import type { ConsistencyCorrection } from './run-hooks.js';
import type { RunRecord } from './run-record.js';

/**
 * Calls the quiesce hook before the creates when the policy requests filesystem or application
 * consistency. `quiesce-started` is journaled before the hook, so a restarted daemon releases
 * what it quiesced. The quiesced state is not written here but returned as the `quiesce-done` step for the
 * write that precedes the creates, which keeps one write fewer inside the freeze. The consistency
 * the hook returns goes into the tags of every snapshot of the run.
 */
export async function quiesceIfAsked(
  run: RunRecord,
  policy: PolicyConfig,
  context: RunContext,
): Promise<JournalStep[]> {
  const quiesce = context.hooks?.quiesce;
  const consistency = run.consistency;
  if (quiesce === undefined || consistency === undefined) return [];
  if (consistency.requested !== 'filesystem' && consistency.requested !== 'application') return [];

  if (run.quiesce?.status === 'quiescing') {
    // The daemon died while quiescing, before any create was sent, so the tags may still change.
    await releaseIfQuiesced(run, policy, context);
    consistency.applied = 'crash';
    consistency.reason = 'the daemon restarted while quiescing, so the disks were not quiesced';
    return [];
  }
  // A run journaled as quiesced keeps its tags after a restart, because repeated creates must
  // carry the same tags. Its release then lowers them, since the restart ended the quiesce.
  if (run.quiesce !== undefined) return [];

  run.quiesce = { status: 'quiescing' };
  await context.journal(run, 'quiesce-started');
  consistency.applied = await quiesce(run, policy);
  run.quiesce.status = 'quiesced';
  return ['quiesce-done'];
}

/**
 * Calls the release hook once for a run that quiesced. When the release reports that the quiesce
 * ended too early, the run's consistency is lowered. A failing release is logged, not thrown.
 * With `journal: 'deferred'` the `released` step is returned for the caller's next write instead
 * of being written here.
 */
export async function releaseIfQuiesced(
  run: RunRecord,
  policy: PolicyConfig,
  context: RunContext,
  journal: 'now' | 'deferred' = 'now',
): Promise<JournalStep[]> {
  if (run.quiesce === undefined || run.quiesce.status === 'released') return [];
  let correction: ConsistencyCorrection | undefined;
  try {
    correction = (await context.hooks?.release?.(run, policy)) ?? undefined;
  } catch (error) {
    context.logger.error({ err: error }, 'release after quiesce failed');
  }
  // Journaled as released only after the correction, so a restart repeats a lost one.
  if (correction !== undefined) await lowerRunConsistency(run, correction, context);
  run.quiesce.status = 'released';
  if (journal === 'deferred') return ['released'];
  await context.journal(run, 'released');
  return [];
}
