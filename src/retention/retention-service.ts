import type { EcsClient, Snapshot } from '../cloud/index.js';
import type { PolicyConfig } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { RunPrune, RunRecord } from '../snapshot/index.js';
import { UndeletableSnapshots } from '../state/index.js';
import type { UndeletableStore } from './carry-out-plan.js';
import { pinSnapshot, unpinSnapshot } from './pin-snapshot.js';
import { pruneAfterRun } from './prune-after-run.js';
import { pruneOnRequest, type PruneAnswer, type PruneRequest } from './prune-on-request.js';

/** The ECS calls retention makes. */
export type RetentionEcs = Pick<
  EcsClient,
  | 'describeInstanceDisks'
  | 'describeSnapshots'
  | 'deleteSnapshot'
  | 'tagSnapshots'
  | 'untagSnapshots'
>;

/** Dependencies of the retention service, supplied by the daemon. */
export interface RetentionServiceOptions {
  ecs: RetentionEcs;
  instanceId: string;
  policies: Readonly<Record<string, PolicyConfig>>;
  undeletable: UndeletableStore;
  logger: Logger;
  /** Receives every complete listing of the instance's snapshots, for the metrics. */
  onListing?: (snapshots: Snapshot[]) => void;
}

/**
 * Prunes after runs and on request, and pins and unpins snapshots, one operation at a time, so a
 * prune never works from a listing taken before a pin that it would then ignore.
 */
export class RetentionService {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: RetentionServiceOptions) {}

  /** Creates the service with the rejected deletions stored in `<stateDir>/retention.json`. */
  static async open(
    stateDir: string,
    options: Omit<RetentionServiceOptions, 'undeletable'>,
  ): Promise<RetentionService> {
    const undeletable = new UndeletableSnapshots(
      stateDir,
      options.logger.child({ component: 'retention' }),
    );
    await undeletable.load();
    return new RetentionService({ ...options, undeletable });
  }

  /** Runs the run engine's prune step, and returns undefined for a policy without retention rules. */
  async pruneRun(run: RunRecord, policy: PolicyConfig): Promise<RunPrune | undefined> {
    const rules = policy.retention;
    if (rules === undefined) return undefined;
    return this.exclusive(() =>
      pruneAfterRun(run, { ...this.options, rules, timezone: policy.timezone }),
    );
  }

  /** Prunes one policy or all of them now, or only plans with `dryRun`. */
  async prune(request: PruneRequest): Promise<PruneAnswer> {
    return this.exclusive(() => pruneOnRequest(request, this.options));
  }

  /** Pins one of selfsnap's snapshots with an optional reason. */
  async pin(snapshotId: string, reason?: string): Promise<Snapshot> {
    const { ecs, instanceId } = this.options;
    const pinned = await this.exclusive(() => pinSnapshot(ecs, instanceId, snapshotId, reason));
    this.options.logger.info({ component: 'retention', snapshotId, reason }, 'snapshot pinned');
    return pinned;
  }

  /** Unpins one of selfsnap's snapshots, so the retention rules decide on it again. */
  async unpin(snapshotId: string): Promise<Snapshot> {
    const { ecs, instanceId } = this.options;
    const unpinned = await this.exclusive(() => unpinSnapshot(ecs, instanceId, snapshotId));
    this.options.logger.info({ component: 'retention', snapshotId }, 'snapshot unpinned');
    return unpinned;
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
