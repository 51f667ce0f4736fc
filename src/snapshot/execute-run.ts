import type { EcsClient, Snapshot } from '../cloud/index.js';
import type { PolicyConfig } from '../config/index.js';
import { toSelfsnapError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import type { InstanceIdentity } from '../metadata/index.js';
import { withRetry } from './retry.js';
import type { DiskResult, RecordedError, RunRecord } from './run-record.js';
import { selectDisks } from './select-disks.js';
import { buildDescription, deriveClientToken, TAG } from './snapshot-naming.js';

/** What a run needs from the daemon around it. */
export interface RunContext {
  ecs: EcsClient;
  identity: InstanceIdentity;
  logger: Logger;
  /** Persists the run and tells waiters; called after every change of state. */
  publish(run: RunRecord): Promise<void>;
  /** Polling intervals while waiting for snapshots to finish, in ms. */
  pollIntervalMs?: { initial: number; max: number };
}

const DEFAULT_POLL = { initial: 1000, max: 15_000 };
// A snapshot id missing from this many listings in a row is treated as gone (deleted outside).
const MISSING_LIMIT = 3;

/**
 * Runs one snapshot run to the end: plan, create in parallel, wait, record. Steps already recorded
 * in `run` are skipped, so a run read back from the state folder after a crash resumes where it
 * stopped; the creates repeat with the same ClientTokens and return the snapshots already made.
 * Never throws: failures end up in the record.
 */
export async function executeRun(
  run: RunRecord,
  policy: PolicyConfig,
  context: RunContext,
): Promise<RunRecord> {
  const logger = context.logger.child({ runId: run.id, policy: run.policy });
  try {
    if (run.phase === 'planning') await planDisks(run, policy, context);
    if (run.phase === 'creating') await createSnapshots(run, policy, context, logger);
    if (run.phase === 'waiting') await waitForSnapshots(run, context);
  } catch (error) {
    run.error = recordError(error);
    logger.error({ err: run.error }, 'run failed');
  }
  finishRun(run);
  await context.publish(run);
  logger.info({ status: run.status, durationMs: elapsedMs(run) }, 'run finished');
  return run;
}

async function planDisks(run: RunRecord, policy: PolicyConfig, context: RunContext) {
  const disks = await withRetry(() => context.ecs.describeInstanceDisks(run.instanceId));
  run.disks = selectDisks(disks, policy.disks).map((disk): DiskResult => ({
    diskId: disk.diskId,
    diskType: disk.type,
    clientToken: deriveClientToken(run.id, disk.diskId),
    status: 'pending',
  }));
  run.phase = 'creating';
  await context.publish(run);
}

async function createSnapshots(
  run: RunRecord,
  policy: PolicyConfig,
  context: RunContext,
  logger: Logger,
) {
  const tags = {
    ...policy.tags,
    [TAG.instance]: run.instanceId,
    [TAG.policy]: run.policy,
    [TAG.trigger]: run.trigger,
    [TAG.run]: run.id,
    [TAG.consistency]: 'crash',
  };
  const description = buildDescription(run.trigger, run.reason);

  const pending = run.disks.filter((disk) => disk.status === 'pending');
  await Promise.all(
    pending.map(async (disk) => {
      try {
        disk.snapshotId = await withRetry(() =>
          context.ecs.createSnapshot({
            diskId: disk.diskId,
            snapshotName: run.snapshotName,
            description,
            clientToken: disk.clientToken,
            retentionDays: policy.retentionDays > 0 ? policy.retentionDays : undefined,
            tags,
          }),
        );
        disk.status = 'progressing';
        disk.acceptedAt = new Date().toISOString();
        logger.info({ diskId: disk.diskId, snapshotId: disk.snapshotId }, 'snapshot accepted');
      } catch (error) {
        failDisk(disk, error);
        logger.error({ diskId: disk.diskId, err: disk.error }, 'snapshot not created');
      }
    }),
  );
  run.phase = 'waiting';
  run.acceptedAt = new Date().toISOString();
  await context.publish(run);
}

async function waitForSnapshots(run: RunRecord, context: RunContext) {
  const poll = context.pollIntervalMs ?? DEFAULT_POLL;
  const missing = new Map<string, number>();
  let interval = poll.initial;

  while (run.disks.some((disk) => disk.status === 'progressing')) {
    await sleep(interval);
    interval = Math.min(poll.max, Math.round(interval * 1.5));

    const waiting = run.disks.filter((disk) => disk.status === 'progressing');
    const ids = waiting.map((disk) => disk.snapshotId as string);
    const found = await withRetry(() => context.ecs.describeSnapshots({ snapshotIds: ids }));
    const byId = new Map(found.map((snapshot) => [snapshot.snapshotId, snapshot]));

    let changed = false;
    for (const disk of waiting) {
      changed = updateDisk(disk, byId.get(disk.snapshotId as string), missing) || changed;
    }
    if (changed) await context.publish(run);
  }
}

function updateDisk(
  disk: DiskResult,
  snapshot: Snapshot | undefined,
  missing: Map<string, number>,
) {
  if (snapshot === undefined) {
    const count = (missing.get(disk.diskId) ?? 0) + 1;
    missing.set(disk.diskId, count);
    if (count < MISSING_LIMIT) return false;
    disk.status = 'failed';
    disk.error = {
      code: 'SNAPSHOT_MISSING',
      message: `snapshot ${disk.snapshotId} is no longer listed`,
    };
    return true;
  }
  missing.delete(disk.diskId);
  const before = `${disk.status}/${disk.progress}/${disk.available}`;
  disk.progress = snapshot.progress;
  disk.available = snapshot.available;
  if (snapshot.status !== 'progressing') {
    disk.status = snapshot.status;
    disk.finishedAt = new Date().toISOString();
    if (snapshot.status === 'failed') {
      disk.error = {
        code: 'SNAPSHOT_FAILED',
        message: `snapshot ${disk.snapshotId} failed in the cloud`,
      };
    }
  }
  return before !== `${disk.status}/${disk.progress}/${disk.available}`;
}

function finishRun(run: RunRecord) {
  const done = run.disks.filter((disk) => disk.status === 'accomplished').length;
  if (run.error !== undefined || done === 0) run.status = 'failed';
  else if (done === run.disks.length) run.status = 'succeeded';
  else run.status = 'partial';
  if (run.error === undefined && run.disks.length === 0) {
    run.error = { code: 'DISK_NOT_FOUND', message: 'the policy selects no disks on this instance' };
  }
  run.phase = 'done';
  run.finishedAt = new Date().toISOString();
}

function failDisk(disk: DiskResult, error: unknown) {
  disk.status = 'failed';
  disk.error = recordError(error);
  disk.finishedAt = new Date().toISOString();
}

/** Turns any error into the shape a run record stores. */
export function recordError(error: unknown): RecordedError {
  const wrapped = toSelfsnapError(error);
  return {
    code: wrapped.code,
    message: wrapped.message,
    ...(wrapped.ecsCode === undefined ? {} : { ecsCode: wrapped.ecsCode }),
    ...(wrapped.requestId === undefined ? {} : { requestId: wrapped.requestId }),
  };
}

function elapsedMs(run: RunRecord): number {
  return Date.parse(run.finishedAt ?? new Date().toISOString()) - Date.parse(run.startedAt);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
