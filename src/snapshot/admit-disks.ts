import type { Disk } from '../cloud/index.js';
import { claimsDisks, type JoinedDisk, type RunRecord, type Trigger } from './run-record.js';
import { buildSnapshotName, createRunId } from './snapshot-naming.js';

/** The split of a trigger's disks between runs in flight and a new run. */
export interface DiskAdmission {
  /** The run in flight to join, when it already covers every disk. */
  joinRun?: RunRecord;
  /** Disks no run in flight is snapshotting. */
  free: Disk[];
  /** Disks left to other runs in flight. */
  joined: JoinedDisk[];
}

// Disk states in which a run is still snapshotting the disk.
const ACTIVE_DISK_STATES = new Set(['pending', 'creating', 'progressing']);

/** Splits a trigger's disks into those free for a new run and those a run in flight has. */
export function admitDisks(disks: readonly Disk[], runs: Iterable<RunRecord>): DiskAdmission {
  const holders = new Map<string, RunRecord>();
  for (const run of runs) {
    if (!claimsDisks(run)) continue;
    for (const disk of run.disks) {
      if (ACTIVE_DISK_STATES.has(disk.status)) holders.set(disk.diskId, run);
    }
  }

  const free = disks.filter((disk) => !holders.has(disk.diskId));
  const joined = disks
    .filter((disk) => holders.has(disk.diskId))
    .map((disk) => ({ diskId: disk.diskId, runId: (holders.get(disk.diskId) as RunRecord).id }));
  const first = joined[0];
  const joinRun = first !== undefined && free.length === 0 ? holders.get(first.diskId) : undefined;
  return { joinRun, free, joined };
}

/** Creates the record of a new run in its `planning` phase. */
export function createRunRecord(
  request: { policy: string; trigger: Trigger; reason?: string },
  instanceId: string,
): RunRecord {
  const startedAt = new Date();
  return {
    id: createRunId(request.policy, startedAt),
    policy: request.policy,
    trigger: request.trigger,
    reason: request.reason,
    instanceId,
    snapshotName: buildSnapshotName(request.policy, startedAt),
    phase: 'planning',
    status: 'running',
    startedAt: startedAt.toISOString(),
    disks: [],
  };
}
