import type { SeededRandom } from '../support/seeded-random.js';
import type { EmulatorProcess } from '../support/emulator-process.js';

/** The kinds of fault the soak injects, each a short disturbance the engine must ride out. */
export const FAULT_KINDS = [
  'server-error',
  'throttled',
  'lost-response',
  'failed-snapshot',
  'latency',
  'detached-disk',
] as const;

/** One kind of fault. */
export type FaultKind = (typeof FAULT_KINDS)[number];

const ACTIONS = [
  'DescribeDisks',
  'CreateSnapshot',
  'CreateSnapshotGroup',
  'DescribeSnapshots',
  'DeleteSnapshot',
  'TagResources',
];

/**
 * Injects seeded faults through the emulator's control endpoint. A detached disk is attached
 * again a few faults later, so the instance never loses its disks for long.
 */
export class FaultInjector {
  readonly counts = new Map<FaultKind, number>();
  private detached: { diskId: string; until: number } | undefined;
  private injected = 0;

  constructor(
    private readonly emulator: EmulatorProcess,
    private readonly random: SeededRandom,
    private readonly dataDiskIds: readonly string[],
  ) {}

  /** Injects one random fault. */
  async injectOne(): Promise<FaultKind> {
    this.injected++;
    await this.reattachIfDue();
    // A detached disk fails the runs of policies that name it, so it comes a third as often.
    let kind = this.random.pick(FAULT_KINDS);
    if (kind === 'detached-disk' && this.random.chance(2 / 3)) kind = 'latency';
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    const action = this.random.pick(ACTIONS);
    if (kind === 'server-error') {
      const code = this.random.pick(['InternalError', 'ServiceUnavailable']);
      const httpStatus = code === 'InternalError' ? 500 : 503;
      await this.emulator.control('POST', 'faults/errors', {
        action,
        code,
        httpStatus,
        count: this.random.int(1, 2),
      });
    } else if (kind === 'throttled') {
      await this.emulator.control('POST', 'faults/errors', {
        action,
        code: 'Throttling.User',
        httpStatus: 400,
        count: 1,
      });
    } else if (kind === 'lost-response') {
      await this.emulator.control('POST', 'faults/drops', { action, count: 1 });
    } else if (kind === 'failed-snapshot') {
      await this.emulator.control('POST', 'faults/snapshot-failures', {
        diskId: this.random.pick(this.dataDiskIds),
        count: 1,
      });
    } else if (kind === 'latency') {
      await this.emulator.control('POST', 'faults/latency', {
        action: '*',
        latencyMs: 100,
        count: 3,
      });
    } else {
      await this.detachOne();
    }
    return kind;
  }

  /** Attaches a detached disk again; call it before the end so the last checks see every disk. */
  async reattach(): Promise<void> {
    const detached = this.detached;
    if (detached === undefined) return;
    this.detached = undefined;
    await this.emulator.control('POST', `disks/${detached.diskId}`, {
      status: 'In_use',
      instanceId: this.emulator.instanceId,
    });
  }

  private async reattachIfDue(): Promise<void> {
    if (this.detached !== undefined && this.injected >= this.detached.until) await this.reattach();
  }

  private async detachOne(): Promise<void> {
    if (this.detached !== undefined) return;
    const diskId = this.random.pick(this.dataDiskIds);
    await this.emulator.control('POST', `disks/${diskId}`, { status: 'Available', instanceId: '' });
    this.detached = { diskId, until: this.injected + this.random.int(1, 3) };
  }
}
