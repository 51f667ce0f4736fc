export { buildPruneInput, listOwnedSnapshots } from './build-prune-input.js';
export type { PruneContext, PruneInputResult, SnapshotListing } from './build-prune-input.js';
export { executePrune } from './execute-prune.js';
export type {
  DeleteOutcome,
  DeleteResult,
  ExecutePruneOptions,
  PruneSummary,
} from './execute-prune.js';
export { planPrune } from './plan-prune.js';
export { DEFAULT_FAILED_GRACE_MS, PIN_TAG } from './prune-plan.js';
export { prunePolicy } from './prune-policy.js';
export type { PrunePolicyOptions, PruneReport } from './prune-policy.js';
export type {
  PruneAction,
  PruneEntry,
  PruneInput,
  PrunePlan,
  RetentionRules,
} from './prune-plan.js';
