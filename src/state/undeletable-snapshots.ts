import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log/index.js';
import { writeFileAtomic } from './write-file-atomic.js';

/** One snapshot whose deletion the API rejected for good, as `retention.json` stores it. */
export interface UndeletableSnapshot {
  snapshotId: string;
  diskId: string;
  policy: string;
  /** The ECS error Code, or selfsnap's error code when the API sent none. */
  code: string;
  message: string;
  firstRejectedAt: string;
  lastRejectedAt: string;
  /** Time from which a prune may try to delete the snapshot again. */
  retryAfter: string;
}

/** A rejected deletion to record. */
export type RejectedDeletion = Pick<
  UndeletableSnapshot,
  'snapshotId' | 'diskId' | 'policy' | 'code' | 'message'
>;

/** Changes one prune brings to the records. */
export interface UndeletableUpdate {
  rejected: readonly RejectedDeletion[];
  deleted: readonly string[];
  /** Every snapshot id of a complete listing; records of snapshots not in it are dropped. */
  listedIds?: ReadonlySet<string>;
}

interface RetentionFile {
  version: 1;
  undeletable: UndeletableSnapshot[];
}

/** Default wait before a rejected deletion is tried again: 7 days. */
export const DEFAULT_UNDELETABLE_RETRY_MS = 7 * 86_400_000;

/**
 * Keeps the snapshots whose deletion the API rejected (one backs an image or a disk, or the call
 * got another 4xx error) in `<stateDir>/retention.json`, so that prunes leave them alone and do
 * not count them until their retry time comes.
 */
export class UndeletableSnapshots {
  private readonly path: string;
  private records = new Map<string, UndeletableSnapshot>();

  constructor(
    stateDir: string,
    private readonly logger: Logger,
    private readonly retryAfterMs = DEFAULT_UNDELETABLE_RETRY_MS,
  ) {
    this.path = join(stateDir, 'retention.json');
  }

  /**
   * Reads the file. A missing file reads as empty, and so does an unreadable one, with a warning:
   * starting empty only means the next prune tries those deletions once more.
   */
  async load(): Promise<void> {
    try {
      const file = JSON.parse(await readFile(this.path, 'utf8')) as RetentionFile;
      this.records = new Map(file.undeletable.map((record) => [record.snapshotId, record]));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      this.logger.warn({ err: error, file: this.path }, 'ignoring unreadable retention state');
    }
  }

  /** Returns every record, oldest rejection first. */
  list(): UndeletableSnapshot[] {
    return [...this.records.values()].sort((a, b) =>
      a.firstRejectedAt.localeCompare(b.firstRejectedAt),
    );
  }

  /** Returns the ids whose retry time has not come at `now`. */
  heldAt(now: Date): Set<string> {
    const held = this.list().filter((record) => Date.parse(record.retryAfter) > now.getTime());
    return new Set(held.map((record) => record.snapshotId));
  }

  /** Records rejections, drops deleted and unlisted snapshots, and saves when anything changed. */
  async update(change: UndeletableUpdate, now: Date): Promise<void> {
    let changed = false;
    for (const snapshotId of change.deleted) changed = this.records.delete(snapshotId) || changed;
    if (change.listedIds !== undefined) {
      for (const snapshotId of this.records.keys()) {
        if (!change.listedIds.has(snapshotId)) changed = this.records.delete(snapshotId) || changed;
      }
    }
    for (const rejected of change.rejected) {
      this.records.set(rejected.snapshotId, this.recordRejection(rejected, now));
      changed = true;
    }
    if (changed) await this.save();
  }

  private recordRejection(rejected: RejectedDeletion, now: Date): UndeletableSnapshot {
    const at = now.toISOString();
    return {
      ...rejected,
      firstRejectedAt: this.records.get(rejected.snapshotId)?.firstRejectedAt ?? at,
      lastRejectedAt: at,
      retryAfter: new Date(now.getTime() + this.retryAfterMs).toISOString(),
    };
  }

  private async save(): Promise<void> {
    const file: RetentionFile = { version: 1, undeletable: this.list() };
    await writeFileAtomic(this.path, `${JSON.stringify(file, null, 2)}\n`);
  }
}
