import type { RunRecord } from '../snapshot/run-record.js';
import { formatRun } from './format-run.js';

/** Shows a run's per-disk progress while `selfsnap snapshot` waits. */
export interface ProgressView {
  update(run: RunRecord): void;
  finish(run: RunRecord): void;
}

/**
 * Creates the progress view for `output`. On a terminal it redraws the disk table in place.
 * Elsewhere it prints one plain line per disk whenever its status, progress or availability changes.
 */
export function createProgressView(output: NodeJS.WriteStream): ProgressView {
  return output.isTTY === true ? new TerminalView(output) : new PlainView(output);
}

class TerminalView implements ProgressView {
  private drawnLines = 0;

  constructor(private readonly output: NodeJS.WriteStream) {}

  update(run: RunRecord): void {
    // Move to the start of the block drawn last, clear to the end of the screen, draw again.
    const rewind = this.drawnLines > 0 ? `\x1b[${this.drawnLines}F\x1b[J` : '';
    const text = formatRun(run);
    this.output.write(`${rewind}${text}\n`);
    this.drawnLines = text.split('\n').length;
  }

  finish(run: RunRecord): void {
    this.update(run);
  }
}

class PlainView implements ProgressView {
  private readonly seen = new Map<string, string>();
  private started = false;

  constructor(private readonly output: NodeJS.WriteStream) {}

  update(run: RunRecord): void {
    if (!this.started) {
      this.started = true;
      this.output.write(`run ${run.id}  policy ${run.policy}\n`);
    }
    for (const disk of run.disks) {
      const progress = disk.progress === undefined ? '' : ` ${disk.progress}%`;
      const available = disk.available === true ? ' available' : '';
      const snapshot = disk.snapshotId === undefined ? '' : ` ${disk.snapshotId}`;
      const line = `${disk.diskId}${snapshot} ${disk.status}${progress}${available}`;
      if (this.seen.get(disk.diskId) === line) continue;
      this.seen.set(disk.diskId, line);
      this.output.write(`${line}\n`);
    }
  }

  finish(run: RunRecord): void {
    this.update(run);
    this.output.write(`run ${run.id} ${run.status} (${run.phase})\n`);
  }
}
