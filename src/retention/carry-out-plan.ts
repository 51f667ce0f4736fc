import type { EcsClient } from '../cloud/index.js';
import type { Logger } from '../log/index.js';
import type { RejectedDeletion, UndeletableUpdate } from '../state/index.js';
import { executePrune, type DeleteResult, type PruneSummary } from './execute-prune.js';
import type { PrunePlan } from './prune-plan.js';

/** The store of rejected deletions, as the prune needs it. */
export interface UndeletableStore {
  /** Returns the ids whose retry time has not come at `now`. */
  heldAt(now: Date): Set<string>;
  update(change: UndeletableUpdate, now: Date): Promise<void>;
}

/** Clients and state that carryOutPlan works with. */
export interface CarryOutContext {
  ecs: Pick<EcsClient, 'deleteSnapshot'>;
  logger: Logger;
  undeletable: UndeletableStore;
  now: Date;
  /** Ids of the complete listing the plan came from; rejections of unlisted snapshots are dropped. */
  listedIds: ReadonlySet<string>;
}

/**
 * Deletes what a plan deletes and records in the store every deletion the API rejected for good,
 * so later prunes leave those snapshots alone until their retry time. Never throws: a store that
 * cannot be saved is logged, and the rejection is met again on the next prune.
 */
export async function carryOutPlan(
  plan: PrunePlan,
  context: CarryOutContext,
): Promise<PruneSummary> {
  const summary = await executePrune(plan, context.ecs, context.logger);
  const rejected = summary.results
    .filter((result) => result.outcome === 'undeletable')
    .map((result) => toRejection(result, plan.policy));
  const deleted = summary.results
    .filter((result) => result.outcome === 'deleted')
    .map((result) => result.snapshotId);

  try {
    await context.undeletable.update(
      { rejected, deleted, listedIds: context.listedIds },
      context.now,
    );
  } catch (error) {
    context.logger.error(
      { err: error },
      'cannot save the undeletable snapshots; the next prune tries them again',
    );
  }
  return summary;
}

function toRejection(result: DeleteResult, policy: string): RejectedDeletion {
  return {
    snapshotId: result.snapshotId,
    diskId: result.diskId,
    policy,
    code: result.error?.ecsCode ?? result.error?.code ?? 'UNKNOWN',
    message: result.error?.message ?? 'the API rejected the deletion',
  };
}
