import type { PolicyConfig, WaitMode } from '../config/index.js';

/** The source of a run, recorded in the `selfsnap:trigger` tag. */
export type Trigger = 'schedule' | 'hook' | 'manual';

/** The step of its flow a run is at. */
export type RunPhase = 'planning' | 'creating' | 'waiting' | 'done';

/** The outcome of a run, or `running` until it ends. */
export type RunStatus = 'running' | 'succeeded' | 'partial' | 'failed';

/**
 * The state of one disk within a run: `creating` is journaled before CreateSnapshot is sent, so
 * after a crash the disk's ClientToken is sent again instead of a new one.
 */
export type DiskRunStatus =
  'pending' | 'creating' | 'progressing' | 'accomplished' | 'failed' | 'skipped';

/** A consistency level, as the `selfsnap:consistency` tag spells it. */
export type ConsistencyLevel = PolicyConfig['consistency'];

/** An error as a run record stores it: no stack, no secrets. */
export interface RecordedError {
  code: string;
  message: string;
  ecsCode?: string;
  requestId?: string;
}

/** One disk's part of a run. */
export interface DiskResult {
  diskId: string;
  diskType: 'system' | 'data';
  clientToken: string;
  status: DiskRunStatus;
  snapshotId?: string;
  progress?: number;
  available?: boolean;
  acceptedAt?: string;
  finishedAt?: string;
  /** The reason the disk failed or was skipped. */
  error?: RecordedError;
}

/** The consistency a run asked for and the one its snapshots have, which the tag records. */
export interface RunConsistency {
  requested: ConsistencyLevel;
  applied: ConsistencyLevel;
  /** The reason `applied` differs from `requested`. */
  reason?: string;
}

/** The snapshot group of a run whose disks are snapshotted together. */
export interface SnapshotGroupState {
  clientToken: string;
  /** `creating` is journaled before CreateSnapshotGroup is sent. */
  status: 'pending' | 'creating' | 'created';
  snapshotGroupId?: string;
}

/** Journal of the quiesce step, so a restarted daemon releases what it quiesced. */
export interface QuiesceState {
  status: 'quiescing' | 'quiesced' | 'released';
}

/** How a pre or post hook of a run ended; `exitCode` is null when a signal ended it. */
export interface HookOutcome {
  durationMs: number;
  exitCode: number | null;
  timedOut: boolean;
}

/** A disk left to another run in flight that already snapshots it. */
export interface JoinedDisk {
  diskId: string;
  runId: string;
}

/** What the prune step did once every disk of a run had finished. */
export interface RunPrune {
  /** `pruned` once the plan was carried out; `skipped` when nothing was deleted, with `reason`. */
  status: 'pruned' | 'skipped';
  reason?: string;
  /** Disks whose older snapshots the prune covered: those whose new snapshot is accomplished. */
  diskIds: string[];
  /** Snapshots deleted. */
  deleted: string[];
  /** Number of the policy's snapshots kept on the covered disks, not counting undeletable ones. */
  kept: number;
  /** Snapshots whose deletion the API rejected for good; the run is `partial` when there is one. */
  undeletable: string[];
  /** Snapshots whose deletion failed for now; the next prune tries again. */
  retryLater: string[];
  finishedAt: string;
}

/** A run as the state directory, the socket and the CLI see it. */
export interface RunRecord {
  id: string;
  policy: string;
  trigger: Trigger;
  reason?: string;
  instanceId: string;
  snapshotName: string;
  phase: RunPhase;
  status: RunStatus;
  startedAt: string;
  acceptedAt?: string;
  finishedAt?: string;
  disks: DiskResult[];
  consistency?: RunConsistency;
  snapshotGroup?: SnapshotGroupState;
  quiesce?: QuiesceState;
  /**
   * Time filesystems stayed frozen, from the first freeze to the end of the thaw, in ms; the
   * socket's run view shows null when nothing was frozen.
   */
  freezeWindowMs?: number | null;
  /** How the run's pre and post hooks ended, once they ran. */
  hooks?: { pre?: HookOutcome; post?: HookOutcome };
  joined?: JoinedDisk[];
  /** Set once the wait outlasted the policy's `maxWait`; the run is then checked now and then. */
  waitExceededAt?: string;
  lastCheckedAt?: string;
  /** Set once the prune step ran; absent for a policy without retention rules. */
  prune?: RunPrune;
  error?: RecordedError;
}

/** Tells whether a run has reached what a caller waits for. */
export function isWaitSatisfied(run: RunRecord, mode: WaitMode): boolean {
  if (run.status !== 'running') return true;
  if (mode === 'accepted') return run.phase === 'waiting';
  if (mode === 'available') {
    return (
      run.phase === 'waiting' &&
      run.disks.every((disk) => disk.status !== 'progressing' || disk.available === true)
    );
  }
  return false;
}

/** Tells whether a run still claims its disks: running and not yet past its `maxWait`. */
export function claimsDisks(run: RunRecord): boolean {
  return run.status === 'running' && run.waitExceededAt === undefined;
}
