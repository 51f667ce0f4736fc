export { executeRun, recordError } from './execute-run.js';
export type { RunContext } from './execute-run.js';
export { RunManager } from './run-manager.js';
export type { TriggerRequest, WaitResult } from './run-manager.js';
export { isWaitSatisfied } from './run-record.js';
export type { DiskResult, RecordedError, RunRecord, RunStatus, Trigger } from './run-record.js';
export { buildSnapshotName, deriveClientToken, TAG } from './snapshot-naming.js';
