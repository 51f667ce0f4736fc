import type { PolicyConfig } from '../config/index.js';
import type { RunContext } from './run-context.js';
import type { RunRecord } from './run-record.js';

/**
 * Calls the quiesce hook before the creates when the policy requests filesystem or application
 * consistency, journaling before and after so a restarted daemon knows to release. The
 * consistency the hook returns goes into the tags of every snapshot of the run.
 */
export async function quiesceIfAsked(
  run: RunRecord,
  policy: PolicyConfig,
  context: RunContext,
): Promise<void> {
  const quiesce = context.hooks?.quiesce;
  const consistency = run.consistency;
  if (quiesce === undefined || consistency === undefined) return;
  if (consistency.requested !== 'filesystem' && consistency.requested !== 'application') return;

  if (run.quiesce?.status === 'quiescing') {
    // The daemon died while quiescing, before any create was sent, so the tags may still change.
    await releaseIfQuiesced(run, policy, context);
    consistency.applied = 'crash';
    consistency.reason = 'the daemon restarted while quiescing, so the disks were not quiesced';
    return;
  }
  // NOTE: a run journaled as quiesced keeps its consistency tag after a restart, because repeated
  // creates must carry the same tags. A create first sent after the restart is not quiesced.
  if (run.quiesce !== undefined) return;

  run.quiesce = { status: 'quiescing' };
  await context.journal(run, 'quiesce-started');
  consistency.applied = await quiesce(run, policy);
  run.quiesce.status = 'quiesced';
  await context.journal(run, 'quiesce-done');
}

/** Calls the release hook once for a run that quiesced; a failing release is logged, not thrown. */
export async function releaseIfQuiesced(
  run: RunRecord,
  policy: PolicyConfig,
  context: RunContext,
): Promise<void> {
  if (run.quiesce === undefined || run.quiesce.status === 'released') return;
  try {
    await context.hooks?.release?.(run, policy);
  } catch (error) {
    context.logger.error({ err: error }, 'release after quiesce failed');
  }
  run.quiesce.status = 'released';
  await context.journal(run, 'released');
}
