import type { RunRecord } from './run-record.js';

interface Slot {
  running?: Promise<void>;
  queued?: Promise<void>;
}

/**
 * Serializes and coalesces the writes of each run's record. Concurrent writes of one run (its
 * disks progress in parallel) would otherwise race on the rename, so an older state could land
 * last. Here at most one write runs and one waits. The waiting one stores the run as it is when
 * it starts, so it covers every caller that joined it.
 */
export class RunJournal {
  private readonly slots = new Map<string, Slot>();

  constructor(private readonly save: (run: RunRecord) => Promise<void>) {}

  /** Resolves once a write that contains the run's current state has finished. */
  write(run: RunRecord): Promise<void> {
    const slot = this.slots.get(run.id) ?? {};
    this.slots.set(run.id, slot);
    if (slot.queued !== undefined) return slot.queued;
    if (slot.running === undefined) return this.startWrite(run, slot);

    const queued = slot.running
      .catch(() => undefined)
      .then(() => {
        slot.queued = undefined;
        return this.startWrite(run, slot);
      });
    slot.queued = queued;
    return queued;
  }

  private startWrite(run: RunRecord, slot: Slot): Promise<void> {
    const running: Promise<void> = this.save(run).finally(() => {
      if (slot.running === running) slot.running = undefined;
      if (slot.running === undefined && slot.queued === undefined) this.slots.delete(run.id);
    });
    slot.running = running;
    return running;
  }
}
