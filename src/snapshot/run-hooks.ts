import type { PolicyConfig } from '../config/index.js';
import type { ConsistencyLevel, DiskResult, RunRecord } from './run-record.js';

/**
 * Steps other parts of the daemon plug into a run. Each is optional; a run without them is
 * crash-consistent and prunes nothing.
 */
export interface RunHooks {
  /**
   * Prepares the disks right before the creates (pre hooks, fsfreeze) and returns the consistency
   * reached; throwing fails the run before anything is created.
   */
  quiesce?(run: RunRecord, policy: PolicyConfig): Promise<ConsistencyLevel>;
  /**
   * Undoes `quiesce` (thaw, post hooks) once the creates are accepted or have failed. It is also
   * called for a run journaled as quiesced that a restarted daemon resumes, so it must tolerate
   * being called when nothing is frozen any more.
   */
  release?(run: RunRecord, policy: PolicyConfig): Promise<void>;
  /** Prunes older snapshots of a disk once its new snapshot is `accomplished`; errors are logged. */
  prune?(run: RunRecord, disk: DiskResult, policy: PolicyConfig): Promise<void>;
}
