import type { WaitMode } from '../config/index.js';

/** What started a run; recorded in the `selfsnap:trigger` tag. */
export type Trigger = 'schedule' | 'hook' | 'manual';

/** Where a run is in its flow. */
export type RunPhase = 'planning' | 'creating' | 'waiting' | 'done';

/** How a run ended; `running` until it does. */
export type RunStatus = 'running' | 'succeeded' | 'partial' | 'failed';

/** The state of one disk within a run. */
export type DiskRunStatus = 'pending' | 'progressing' | 'accomplished' | 'failed' | 'skipped';

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
  error?: RecordedError;
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
