import type { Snapshot } from '../cloud/index.js';
import { PIN_TAG } from '../retention/prune-plan.js';
import { TAG } from '../snapshot/snapshot-naming.js';

/** One of selfsnap's snapshots as `GET /v1/snapshots` returns it. */
export interface SnapshotView {
  snapshotId: string;
  snapshotName: string;
  diskId: string;
  diskType: string;
  policy: string | null;
  trigger: string | null;
  runId: string | null;
  consistency: string | null;
  status: string;
  progress: number;
  available: boolean;
  creationTime: string;
  description: string;
  /** The reason given to `selfsnap snapshot --reason`, read back from the description. */
  reason: string | null;
  retentionDays: number | null;
  pinned: boolean;
  /** Package transaction shared by the before and after snapshots of one apt or dnf run. */
  transaction: string | null;
  tags: Record<string, string>;
}

// buildDescription writes `selfsnap <trigger>: <reason>`.
const REASON_PATTERN = /^selfsnap [a-z]+: (.+)$/s;

/** Converts a snapshot from DescribeSnapshots into the socket's view of it. */
export function toSnapshotView(snapshot: Snapshot): SnapshotView {
  const tags = snapshot.tags;
  return {
    snapshotId: snapshot.snapshotId,
    snapshotName: snapshot.snapshotName,
    diskId: snapshot.sourceDiskId,
    diskType: snapshot.sourceDiskType,
    policy: tags[TAG.policy] ?? null,
    trigger: tags[TAG.trigger] ?? null,
    runId: tags[TAG.run] ?? null,
    consistency: tags[TAG.consistency] ?? null,
    status: snapshot.status,
    progress: snapshot.progress,
    available: snapshot.available,
    creationTime: snapshot.creationTime,
    description: snapshot.description,
    reason: REASON_PATTERN.exec(snapshot.description)?.[1] ?? null,
    retentionDays: snapshot.retentionDays ?? null,
    pinned: PIN_TAG in tags,
    transaction: tags[TAG.transaction] ?? null,
    tags,
  };
}
