import { isDiskScopedError } from '../cloud/index.js';
import { SelfsnapError, toSelfsnapError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { recordError } from './record-error.js';
import type { DiskResult, RecordedError, RunRecord } from './run-record.js';

/** The state a failed create leaves its disk in. */
export type CreateFailure = 'interrupted' | 'skipped' | 'failed' | 'uncertain';

/** Records an accepted snapshot on its disk. */
export function acceptDisk(disk: DiskResult, snapshotId: string): void {
  disk.snapshotId = snapshotId;
  disk.status = 'progressing';
  disk.acceptedAt = new Date().toISOString();
  delete disk.error;
  delete disk.finishedAt;
}

/**
 * Records why a create failed, by kind. An interrupted retry leaves the disk `creating` for the
 * next start. Disk-state, not-found and quota errors skip the disk, and a RAM denial fails the
 * run. A retryable error that ran out of attempts is `uncertain`, because the create may have
 * happened although its response was lost.
 */
export function recordCreateFailure(
  run: RunRecord,
  disks: readonly DiskResult[],
  error: unknown,
  context: { logger: Logger; signal?: AbortSignal; action: string },
): CreateFailure {
  const failure = toSelfsnapError(error);
  const logger = context.logger.child({ diskIds: disks.map((disk) => disk.diskId) });
  if (context.signal?.aborted === true && failure.retryable) {
    logger.info({ err: failure }, 'create interrupted by shutdown; it resumes on the next start');
    return 'interrupted';
  }

  const finishedAt = new Date().toISOString();
  const skipped = isDiskScopedError(failure);
  for (const disk of disks) {
    disk.status = skipped ? 'skipped' : 'failed';
    disk.error = recordError(failure);
    disk.finishedAt = finishedAt;
  }
  if (skipped) {
    logger.warn({ err: failure, ecsCode: failure.ecsCode }, 'disk skipped');
    return 'skipped';
  }
  if (failure.code === 'ECS_FORBIDDEN') {
    run.error ??= describeForbidden(context.action, failure);
    logger.error(
      { err: failure, action: context.action },
      `the RAM role may not call ${context.action}`,
    );
    return 'failed';
  }
  logger.error({ err: failure, action: context.action }, 'snapshot not created');
  return failure.retryable ? 'uncertain' : 'failed';
}

/** Builds the error for a RAM denial, naming the action and the fix. */
export function forbiddenError(action: string, failure: SelfsnapError): SelfsnapError {
  return new SelfsnapError(
    'ECS_FORBIDDEN',
    `the instance's RAM role may not call ${action} (${failure.ecsCode ?? failure.code}): allow ecs:${action} in the role's policy, as config/ram-policy.json lists`,
    { cause: failure, ecsCode: failure.ecsCode, requestId: failure.requestId },
  );
}

/** Builds the run error for a RAM denial, as a run record stores it. */
export function describeForbidden(action: string, failure: SelfsnapError): RecordedError {
  return recordError(forbiddenError(action, failure));
}
