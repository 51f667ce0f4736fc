import { toSelfsnapError } from '../errors/index.js';
import type { RunContext } from './run-context.js';
import type { ConsistencyCorrection } from './run-hooks.js';
import type { RunRecord } from './run-record.js';
import { TAG } from './snapshot-naming.js';

/**
 * Lowers a run's consistency after its release found that the quiesce did not last until the
 * creates were accepted. The snapshots already made carry the higher level in their
 * `selfsnap:consistency` tag, so TagResources overwrites it. Creates still to come carry the
 * lower level through the run's tags. A failed overwrite is logged and kept in the reason.
 */
export async function lowerRunConsistency(
  run: RunRecord,
  correction: ConsistencyCorrection,
  context: Pick<RunContext, 'ecs' | 'logger'>,
): Promise<void> {
  const consistency = run.consistency;
  if (consistency === undefined || consistency.applied === correction.consistency) return;
  const claimed = consistency.applied;
  consistency.applied = correction.consistency;
  consistency.reason = correction.reason;

  const snapshotIds = run.disks.flatMap((disk) => disk.snapshotId ?? []);
  const fields = { snapshotIds, claimed, applied: correction.consistency };
  if (snapshotIds.length === 0) return;
  try {
    // No stop signal: a shutdown must not leave a tag that claims more than the run achieved.
    await context.ecs.tagSnapshots(snapshotIds, { [TAG.consistency]: correction.consistency });
    context.logger.warn({ ...fields, reason: correction.reason }, 'consistency tag lowered');
  } catch (error) {
    const failure = toSelfsnapError(error);
    consistency.reason = `${correction.reason}; rewriting the ${TAG.consistency} tag failed (${failure.message}), so it still reads ${claimed}`;
    context.logger.error({ ...fields, err: failure }, 'cannot lower the consistency tag');
  }
}
