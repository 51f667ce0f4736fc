/** Something a shutdown must finish: a quiesce in progress or a session not yet released. */
export interface PendingRelease {
  /** Stops the quiesce if it still runs, then thaws and runs the post hook; never throws. */
  stop(): Promise<void>;
}

/** Tracks the quiesced runs of a daemon, so a shutdown can thaw them and run their post hooks. */
export class QuiesceRegistry {
  private readonly pending = new Set<PendingRelease>();

  /** Adds a pending release and returns the function that removes it. */
  track(entry: PendingRelease): () => void {
    this.pending.add(entry);
    return () => this.pending.delete(entry);
  }

  /** Number of runs still quiesced or quiescing. */
  get size(): number {
    return this.pending.size;
  }

  /** Stops every pending quiesce and release at once, for SIGTERM; resolves when all are done. */
  async releaseAll(): Promise<void> {
    const entries = [...this.pending];
    this.pending.clear();
    await Promise.all(entries.map((entry) => entry.stop()));
  }
}
