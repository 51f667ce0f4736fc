import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SelfsnapError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import type { RunRecord } from '../snapshot/run-record.js';
import { parseRunRecord } from './parse-run-record.js';
import { isTemporaryFile, writeFileAtomic } from './write-file-atomic.js';

// Run records kept on disk; older finished ones are removed at start and after each save.
const RUN_HISTORY_LIMIT = 500;
/** Suffix given to a run record that cannot be read, so it is kept for a person to inspect. */
export const QUARANTINE_SUFFIX = '.corrupt';

interface StoredRun {
  startedAt: string;
  finished: boolean;
}

/** Keeps run records as one JSON file each under `<stateDir>/runs/`, readable by root only. */
export class StateStore {
  private readonly runsDir: string;
  /** The run records on disk, so the history can be trimmed without reading the folder. */
  private readonly stored = new Map<string, StoredRun>();

  constructor(
    readonly stateDir: string,
    private readonly logger: Logger,
    private readonly historyLimit = RUN_HISTORY_LIMIT,
  ) {
    this.runsDir = join(stateDir, 'runs');
  }

  /** Creates the state folders if they are missing. */
  async init(): Promise<void> {
    try {
      await mkdir(this.runsDir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new SelfsnapError('STATE_UNREADABLE', `cannot create state folder ${this.runsDir}`, {
        cause: error,
      });
    }
  }

  /** Writes a run record atomically, then trims the history once a run has finished. */
  async saveRun(run: RunRecord): Promise<void> {
    await writeFileAtomic(join(this.runsDir, `${run.id}.json`), `${JSON.stringify(run)}\n`);
    const finished = run.status !== 'running';
    this.stored.set(run.id, { startedAt: run.startedAt, finished });
    if (finished && this.stored.size > this.historyLimit) await this.removeOldest();
  }

  /**
   * Reads every stored run, oldest first. A file that cannot be read as a run record is renamed
   * with the `.corrupt` suffix and logged, so it neither stops the daemon nor warns on every start.
   * Temporary files of writes that a crash cut short are removed. Call it before any run starts,
   * since a write in progress has such a file too.
   */
  async loadRuns(): Promise<RunRecord[]> {
    const entries = await readdir(this.runsDir);
    await this.removeTemporaryFiles(entries.filter(isTemporaryFile));
    const names = entries.filter((name) => name.endsWith('.json'));
    const runs: RunRecord[] = [];
    for (const name of names) {
      try {
        runs.push(parseRunRecord(await readFile(join(this.runsDir, name), 'utf8')));
      } catch (error) {
        await this.quarantine(name, error);
      }
    }
    for (const run of runs) {
      this.stored.set(run.id, { startedAt: run.startedAt, finished: run.status !== 'running' });
    }
    return runs.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  /** Removes the oldest finished run records beyond the history limit. */
  async trimHistory(runs: RunRecord[]): Promise<RunRecord[]> {
    const removed = await this.removeOldest();
    return runs.filter((run) => !removed.has(run.id));
  }

  private async removeOldest(): Promise<Set<string>> {
    const excess = this.stored.size - this.historyLimit;
    if (excess <= 0) return new Set();
    const removable = [...this.stored]
      .filter(([, run]) => run.finished)
      .sort(([, a], [, b]) => a.startedAt.localeCompare(b.startedAt))
      .slice(0, excess)
      .map(([id]) => id);
    for (const id of removable) this.stored.delete(id);
    await Promise.all(removable.map((id) => rm(join(this.runsDir, `${id}.json`), { force: true })));
    return new Set(removable);
  }

  private async removeTemporaryFiles(names: string[]): Promise<void> {
    for (const name of names) {
      try {
        await rm(join(this.runsDir, name), { force: true });
        this.logger.warn({ file: name }, 'removed a run record write that a crash cut short');
      } catch (error) {
        this.logger.warn({ err: error, file: name }, 'cannot remove an unfinished write');
      }
    }
  }

  private async quarantine(name: string, error: unknown): Promise<void> {
    const quarantined = `${name}${QUARANTINE_SUFFIX}`;
    try {
      await rename(join(this.runsDir, name), join(this.runsDir, quarantined));
      this.logger.warn(
        { err: error, file: name, movedTo: quarantined },
        'skipping unreadable run record',
      );
    } catch (renameError) {
      this.logger.warn({ err: error, file: name, renameError }, 'skipping unreadable run record');
    }
  }
}
