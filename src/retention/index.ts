export { buildPruneInput, listOwnedSnapshots } from './build-prune-input.js';
export type { PruneContext, PruneInputResult, SnapshotListing } from './build-prune-input.js';
export type { UndeletableStore } from './carry-out-plan.js';
export { executePrune } from './execute-prune.js';
export type {
  DeleteOutcome,
  DeleteResult,
  ExecutePruneOptions,
  PruneSummary,
} from './execute-prune.js';
export { pinSnapshot, unpinSnapshot } from './pin-snapshot.js';
export type { PinEcs } from './pin-snapshot.js';
export { planPrune } from './plan-prune.js';
export { DEFAULT_FAILED_GRACE_MS, PIN_TAG } from './prune-plan.js';
export { pruneAfterRun } from './prune-after-run.js';
export type { RunPruneOptions } from './prune-after-run.js';
export { pruneOnRequest } from './prune-on-request.js';
export type {
  PolicyPrune,
  PruneAnswer,
  PruneOnRequestOptions,
  PruneRequest,
} from './prune-on-request.js';
export type {
  PruneAction,
  PruneEntry,
  PruneInput,
  PrunePlan,
  RetentionRules,
} from './prune-plan.js';
export { RetentionService } from './retention-service.js';
export type { RetentionEcs, RetentionServiceOptions } from './retention-service.js';
