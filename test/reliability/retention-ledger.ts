import type { RunRecord } from '../../src/snapshot/index.js';
import type { RecordedRequest, SnapshotView } from '../emulator/index.js';

interface SnapshotFact {
  policy: string;
  diskId: string;
  accomplished: boolean;
  /** ClientToken of the create that made it, to find its creation time in the request log. */
  clientToken?: string;
  /** Creation time cut to whole seconds, the precision CreationTime has in the ECS API. */
  createdSecond?: number;
}

function tagOf(snapshot: SnapshotView, key: string): string | undefined {
  return snapshot.tags.find((tag) => tag.key === key)?.value;
}

function toSecond(time: string): number {
  return Math.floor(Date.parse(time) / 1000);
}

/** Tells whether the emulator carried out a call: status 200, or committed with the response lost. */
function committed(request: RecordedRequest): boolean {
  return request.httpStatus === 200 || request.dropped;
}

/**
 * Follows selfsnap's snapshots from one checkpoint to the next and checks every deletion against
 * keepLast: a deleted accomplished snapshot must leave at least keepLast accomplished snapshots
 * of its policy and disk that are as new or newer and still existed when it was deleted. A
 * snapshot that is neither listed nor deleted was lost. Creation times come from the listing,
 * or for a snapshot made and deleted between two checkpoints, from its create in the request
 * log. Only the snapshots alive at the last checkpoint and those made since are kept.
 */
export class RetentionLedger {
  private known = new Map<string, SnapshotFact>();

  constructor(
    private readonly instanceId: string,
    private readonly keepLast: Readonly<Record<string, number>>,
  ) {}

  /** Adds the snapshots a finished run made, keeping creation times already observed. */
  recordRun(run: RunRecord): void {
    for (const disk of run.disks) {
      if (disk.snapshotId === undefined) continue;
      this.known.set(disk.snapshotId, {
        policy: run.policy,
        diskId: disk.diskId,
        accomplished: disk.status === 'accomplished',
        clientToken: run.snapshotGroup?.clientToken ?? disk.clientToken,
        createdSecond: this.known.get(disk.snapshotId)?.createdSecond,
      });
    }
  }

  /**
   * Records the creation times of the snapshots listed now. Called after every run, it catches
   * nearly every snapshot before a prune deletes it; the request log is the fallback.
   */
  observe(listed: readonly SnapshotView[]): void {
    for (const [id, fact] of this.aliveFacts(listed)) {
      const known = this.known.get(id);
      if (known === undefined) this.known.set(id, fact);
      else known.createdSecond = fact.createdSecond;
    }
  }

  /** Returns the ids of selfsnap's snapshots that the ledger tracks. */
  ownIds(): string[] {
    return [...this.known.keys()];
  }

  /** Checks the requests since the last checkpoint against the snapshots listed now. */
  check(listed: readonly SnapshotView[], requests: readonly RecordedRequest[]): string[] {
    const alive = this.aliveFacts(listed);
    const created = new Map<string, number>();
    for (const request of requests) {
      const token = request.params.ClientToken;
      if (token === undefined || !request.action.startsWith('CreateSnapshot')) continue;
      if (committed(request) && !created.has(token))
        created.set(token, toSecond(request.receivedAt));
    }
    const all = new Map([...this.known, ...alive]);
    for (const fact of all.values()) {
      fact.createdSecond ??= created.get(fact.clientToken ?? '');
    }
    const deletions = new Map(
      requests
        .filter((request) => request.action === 'DeleteSnapshot' && committed(request))
        .map((request) => [request.params.SnapshotId as string, request.receivedAt]),
    );
    const violations = [...deletions].flatMap(([id, at]) =>
      this.checkDeletion(id, at, all, deletions),
    );
    for (const id of this.known.keys()) {
      if (!alive.has(id) && !deletions.has(id)) violations.push(`snapshot ${id} vanished`);
    }
    this.known = alive;
    return violations;
  }

  private aliveFacts(listed: readonly SnapshotView[]): Map<string, SnapshotFact> {
    const alive = new Map<string, SnapshotFact>();
    for (const snapshot of listed) {
      if (tagOf(snapshot, 'selfsnap:instance') !== this.instanceId) continue;
      alive.set(snapshot.snapshotId, {
        policy: tagOf(snapshot, 'selfsnap:policy') ?? '?',
        diskId: snapshot.sourceDiskId,
        accomplished: snapshot.status === 'accomplished',
        createdSecond: toSecond(snapshot.creationTime),
      });
    }
    return alive;
  }

  private checkDeletion(
    id: string,
    deletedAt: string,
    all: ReadonlyMap<string, SnapshotFact>,
    deletions: ReadonlyMap<string, string>,
  ): string[] {
    const fact = all.get(id);
    if (fact === undefined) return [`deleted ${id}, which the ledger does not know`];
    if (!fact.accomplished) return [];
    const keep = this.keepLast[fact.policy];
    if (keep === undefined) return [`deleted ${id} of policy ${fact.policy} without keepLast`];
    if (fact.createdSecond === undefined) return [`no creation time for deleted ${id}`];
    const createdSecond = fact.createdSecond;
    const deletedSecond = toSecond(deletedAt);
    // The snapshots of the same series that existed at the deletion and were as new or newer.
    const newer = [...all].filter(([otherId, other]) => {
      const otherDeletedAt = deletions.get(otherId);
      return (
        otherId !== id &&
        other.policy === fact.policy &&
        other.diskId === fact.diskId &&
        other.accomplished &&
        other.createdSecond !== undefined &&
        other.createdSecond >= createdSecond &&
        other.createdSecond <= deletedSecond &&
        (otherDeletedAt === undefined || otherDeletedAt > deletedAt)
      );
    });
    if (newer.length >= keep) return [];
    const series = `${fact.policy}/${fact.diskId}`;
    return [`deleted ${id} of ${series} with ${newer.length} newer kept, keepLast ${keep}`];
  }
}
