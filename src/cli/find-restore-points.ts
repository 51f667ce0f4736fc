import type { SnapshotView } from '../socket/snapshot-view.js';

/** Search criteria of `selfsnap restore`. */
export interface RestoreQuery {
  /** Newest snapshot created strictly before this time. */
  before?: Date;
  /** Newest snapshot whose description contains this text (case-insensitive). */
  reason?: string;
  disk?: string;
}

/**
 * Picks, for each disk, the newest accomplished snapshot that matches the query: created before
 * the time, and/or with the text in its description. Returns them ordered by disk id.
 */
export function findRestorePoints(snapshots: SnapshotView[], query: RestoreQuery): SnapshotView[] {
  const needle = query.reason?.toLowerCase();
  const cutoff = query.before?.getTime();
  const newestByDisk = new Map<string, SnapshotView>();
  for (const snapshot of snapshots) {
    if (snapshot.status !== 'accomplished') continue;
    if (query.disk !== undefined && snapshot.diskId !== query.disk) continue;
    const created = Date.parse(snapshot.creationTime);
    if (cutoff !== undefined && !(created < cutoff)) continue;
    if (needle !== undefined && !snapshot.description.toLowerCase().includes(needle)) continue;
    const current = newestByDisk.get(snapshot.diskId);
    if (current === undefined || Date.parse(current.creationTime) < created) {
      newestByDisk.set(snapshot.diskId, snapshot);
    }
  }
  return [...newestByDisk.values()].sort((a, b) => a.diskId.localeCompare(b.diskId));
}
