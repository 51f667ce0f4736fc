import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SelfsnapError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import type { RunRecord } from '../snapshot/run-record.js';
import { writeFileAtomic } from './write-file-atomic.js';

// Run records kept on disk; older ones are removed after each save.
const RUN_HISTORY_LIMIT = 500;

/** Keeps run records as one JSON file each under `<stateDir>/runs/`, readable by root only. */
export class StateStore {
  private readonly runsDir: string;

  constructor(
    readonly stateDir: string,
    private readonly logger: Logger,
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

  /** Writes a run record atomically. */
  async saveRun(run: RunRecord): Promise<void> {
    await writeFileAtomic(join(this.runsDir, `${run.id}.json`), `${JSON.stringify(run)}\n`);
  }

  /** Reads every stored run, oldest first; unreadable files are logged and skipped. */
  async loadRuns(): Promise<RunRecord[]> {
    const names = (await readdir(this.runsDir)).filter((name) => name.endsWith('.json'));
    const runs: RunRecord[] = [];
    for (const name of names) {
      try {
        runs.push(JSON.parse(await readFile(join(this.runsDir, name), 'utf8')) as RunRecord);
      } catch (error) {
        this.logger.warn({ err: error, file: name }, 'skipping unreadable run record');
      }
    }
    return runs.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  /** Removes the oldest finished run records beyond the history limit. */
  async trimHistory(runs: RunRecord[]): Promise<RunRecord[]> {
    const excess = runs.length - RUN_HISTORY_LIMIT;
    if (excess <= 0) return runs;
    const removable = runs.filter((run) => run.status !== 'running').slice(0, excess);
    await Promise.all(
      removable.map((run) => rm(join(this.runsDir, `${run.id}.json`), { force: true })),
    );
    const removed = new Set(removable.map((run) => run.id));
    return runs.filter((run) => !removed.has(run.id));
  }
}
