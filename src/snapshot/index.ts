export { executeRun, finishRun } from './execute-run.js';
export { CRASH_AT_VARIABLE, JOURNAL_STEPS } from './journal-step.js';
export type { JournalStep } from './journal-step.js';
export { recordError } from './record-error.js';
export { DEFAULT_GROUP_DISK_LIMIT, DEFAULT_POLL_INTERVALS } from './run-context.js';
export type { DiskListing, PollIntervals, RunContext } from './run-context.js';
export type { ConsistencyCorrection, RunHooks } from './run-hooks.js';
export { RunManager } from './run-manager.js';
export type {
  RunManagerContext,
  RunManagerOptions,
  TriggerRequest,
  WaitResult,
} from './run-manager.js';
export { claimsDisks, isWaitSatisfied } from './run-record.js';
export type {
  ConsistencyLevel,
  DiskResult,
  DiskRunStatus,
  HookOutcome,
  RecordedError,
  RunConsistency,
  RunPhase,
  RunPrune,
  RunRecord,
  RunStatus,
  Trigger,
} from './run-record.js';
export { buildRunTags, buildSnapshotName, deriveClientToken, TAG } from './snapshot-naming.js';
