import type { PolicyConfig } from '../config/index.js';
import type { ConsistencyLevel, RunPrune, RunRecord } from './run-record.js';

/** A lower consistency than the quiesce reported, found by the release, and the reason. */
export interface ConsistencyCorrection {
  consistency: ConsistencyLevel;
  reason: string;
}

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
   * being called when nothing is frozen any more. It returns a correction when the quiesce did
   * not last until the creates were accepted, and the run's snapshots are then tagged lower.
   */
  // void lets a release that has nothing to correct end without a return statement.
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type
  release?(run: RunRecord, policy: PolicyConfig): Promise<ConsistencyCorrection | void>;
  /**
   * Prunes the policy's older snapshots once every disk of the run has finished, called once per
   * run so that one listing serves every disk. Only disks whose new snapshot is `accomplished`
   * may lose snapshots. The result is recorded on the run, and undefined records nothing.
   */
  prune?(run: RunRecord, policy: PolicyConfig): Promise<RunPrune | undefined>;
}
