import type { EcsClient } from '../cloud/index.js';
import { SelfsnapError, toSelfsnapError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import type { PruneEntry, PrunePlan } from './prune-plan.js';

/** Outcome of one DeleteSnapshot call. */
export type DeleteOutcome = 'deleted' | 'undeletable' | 'retry-later';

/** The result of deleting one snapshot of a plan. */
export interface DeleteResult {
  snapshotId: string;
  diskId: string;
  outcome: DeleteOutcome;
  /** Error that kept the snapshot from being deleted; absent once it is deleted. */
  error?: { code: string; message: string; ecsCode?: string; requestId?: string };
}

/** Counts and per-snapshot results of one executePrune call. */
export interface PruneSummary {
  deleted: number;
  undeletable: number;
  retryLater: number;
  results: DeleteResult[];
  durationMs: number;
}

/** Options of executePrune. */
export interface ExecutePruneOptions {
  /**
   * DeleteSnapshot calls in flight at once; default 4, because every instance of a fleet draws on
   * the account's API rate limit.
   */
  concurrency?: number;
}

const DEFAULT_CONCURRENCY = 4;
// DeleteSnapshot error codes that mean "not now" rather than "never": another operation is using
// the snapshot, or its disk is creating a snapshot.
const TRANSIENT_ECS_CODES = new Set([
  'Operation.Conflict',
  'OperationConflict',
  'IncorrectDiskStatus.CreatingSnapshot',
]);
// Errors that every following call would also get, so the rest of the plan waits for the next run.
const STOPPING_CODES = new Set(['ECS_THROTTLED', 'ECS_AUTH_FAILED', 'ECS_FORBIDDEN']);

interface Classified {
  outcome: Exclude<DeleteOutcome, 'deleted'>;
  stopsPrune: boolean;
}

/**
 * Deletes the plan's `delete` entries, at most `concurrency` at a time, and never throws.
 * Each result is `deleted`, `undeletable` (the snapshot backs an image or a disk, or another 4xx
 * error) or `retry-later` (throttling, 5xx, a conflict, no response). After throttling or a
 * rejected credential, no further deletion starts and the rest are marked `retry-later`.
 */
export async function executePrune(
  plan: PrunePlan,
  ecs: Pick<EcsClient, 'deleteSnapshot'>,
  log: Logger,
  options: ExecutePruneOptions = {},
): Promise<PruneSummary> {
  const started = Date.now();
  const entries = plan.entries.filter((entry) => entry.action === 'delete');
  const results: DeleteResult[] = [];
  let stoppedBy: SelfsnapError | undefined;
  let next = 0;

  const worker = async (): Promise<void> => {
    for (let index = next++; index < entries.length; index = next++) {
      const entry = entries[index] as PruneEntry;
      if (stoppedBy !== undefined) {
        results[index] = skippedResult(entry, stoppedBy);
        continue;
      }
      const attempt = await deleteOne(entry, ecs, log);
      results[index] = attempt.result;
      if (attempt.stopsPrune) stoppedBy ??= attempt.error;
    }
  };
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  await Promise.all(Array.from({ length: Math.min(concurrency, entries.length) }, worker));

  const summary = summarize(results, Date.now() - started);
  logSummary(log, summary, stoppedBy);
  return summary;
}

interface DeleteAttempt {
  result: DeleteResult;
  error?: SelfsnapError;
  stopsPrune: boolean;
}

async function deleteOne(
  entry: PruneEntry,
  ecs: Pick<EcsClient, 'deleteSnapshot'>,
  log: Logger,
): Promise<DeleteAttempt> {
  const fields = { snapshotId: entry.snapshotId, diskId: entry.diskId };
  const started = Date.now();
  try {
    await ecs.deleteSnapshot(entry.snapshotId);
    log.info(
      { ...fields, durationMs: Date.now() - started, reasons: entry.reasons },
      'snapshot deleted',
    );
    return { result: { ...fields, outcome: 'deleted' }, stopsPrune: false };
  } catch (thrown) {
    const error = toSelfsnapError(thrown, 'ECS_REQUEST_FAILED');
    const { outcome, stopsPrune } = classifyDeleteError(error);
    const message =
      outcome === 'undeletable' ? 'snapshot cannot be deleted' : 'snapshot deletion deferred';
    log.warn({ ...fields, durationMs: Date.now() - started, err: error }, message);
    return { result: { ...fields, outcome, error: describeError(error) }, error, stopsPrune };
  }
}

/** Sorts a DeleteSnapshot error into "never" (undeletable) or "not now" (retry later). */
function classifyDeleteError(error: SelfsnapError): Classified {
  if (STOPPING_CODES.has(error.code)) return { outcome: 'retry-later', stopsPrune: true };
  if (error.retryable || TRANSIENT_ECS_CODES.has(error.ecsCode ?? '')) {
    return { outcome: 'retry-later', stopsPrune: false };
  }
  // SnapshotCreatedImage, SnapshotCreatedDisk and other 4xx errors repeat on every attempt.
  const status = error.httpStatus;
  if (status !== undefined && status >= 400 && status < 500) {
    return { outcome: 'undeletable', stopsPrune: false };
  }
  return { outcome: 'retry-later', stopsPrune: false };
}

function skippedResult(entry: PruneEntry, stoppedBy: SelfsnapError): DeleteResult {
  const cause = stoppedBy.ecsCode ?? stoppedBy.code;
  return {
    snapshotId: entry.snapshotId,
    diskId: entry.diskId,
    outcome: 'retry-later',
    error: { code: stoppedBy.code, message: `not attempted after ${cause}` },
  };
}

function describeError(error: SelfsnapError): NonNullable<DeleteResult['error']> {
  return {
    code: error.code,
    message: error.message,
    ...(error.ecsCode === undefined ? {} : { ecsCode: error.ecsCode }),
    ...(error.requestId === undefined ? {} : { requestId: error.requestId }),
  };
}

function logSummary(log: Logger, summary: PruneSummary, stoppedBy?: SelfsnapError): void {
  const fields = {
    deleted: summary.deleted,
    undeletable: summary.undeletable,
    retryLater: summary.retryLater,
    durationMs: summary.durationMs,
  };
  if (stoppedBy === undefined) log.info(fields, 'prune finished');
  else
    log.warn({ ...fields, stoppedBy: stoppedBy.ecsCode ?? stoppedBy.code }, 'prune stopped early');
}

function summarize(results: DeleteResult[], durationMs: number): PruneSummary {
  const count = (outcome: DeleteOutcome) =>
    results.filter((result) => result.outcome === outcome).length;
  return {
    deleted: count('deleted'),
    undeletable: count('undeletable'),
    retryLater: count('retry-later'),
    results,
    durationMs,
  };
}
