import { createHash } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import type { PolicyConfig } from '../config/index.js';
import type { Logger } from '../log/index.js';

/** Called when a policy's slot (plus its jitter) arrives. */
export type SlotHandler = (policy: string) => void;

/**
 * Fires each scheduled policy on its cron slots, in the policy's timezone. Every slot is delayed by
 * a jitter that is fixed per instance and policy, so a fleet with one schedule spreads its calls
 * over the jitter window instead of hitting the API in the same second.
 */
export class Scheduler {
  private readonly tasks = new Map<string, ScheduledTask>();
  private readonly pending = new Set<NodeJS.Timeout>();

  constructor(
    private readonly policies: Record<string, PolicyConfig>,
    private readonly instanceId: string,
    private readonly onSlot: SlotHandler,
    private readonly logger: Logger,
  ) {}

  /** Starts a cron task for every policy that has a schedule. */
  start(): void {
    for (const [name, policy] of Object.entries(this.policies)) {
      if (policy.schedule === undefined) continue;
      const delayMs = jitterFor(this.instanceId, name, policy.jitter);
      const task = cron.schedule(policy.schedule, () => this.fire(name, delayMs), {
        name: `selfsnap-${name}`,
        timezone: policy.timezone,
      });
      this.tasks.set(name, task);
      this.logger.info(
        { policy: name, schedule: policy.schedule, timezone: policy.timezone, jitterMs: delayMs },
        'policy scheduled',
      );
    }
  }

  /** Returns when a policy fires next, jitter included; undefined if it has no schedule. */
  nextRun(policy: string): Date | undefined {
    const next = this.tasks.get(policy)?.getNextRun();
    if (next === undefined || next === null) return undefined;
    const config = this.policies[policy];
    const delayMs = config === undefined ? 0 : jitterFor(this.instanceId, policy, config.jitter);
    return new Date(next.getTime() + delayMs);
  }

  /** Stops every cron task and drops slots waiting out their jitter. */
  async stop(): Promise<void> {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
    await Promise.all([...this.tasks.values()].map((task) => task.destroy()));
    this.tasks.clear();
  }

  private fire(policy: string, delayMs: number): void {
    if (delayMs === 0) {
      this.onSlot(policy);
      return;
    }
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      this.onSlot(policy);
    }, delayMs);
    this.pending.add(timer);
  }
}

/** Derives a stable delay in [0, jitterMs) from the instance id and policy name. */
export function jitterFor(instanceId: string, policy: string, jitterMs: number): number {
  if (jitterMs <= 0) return 0;
  const digest = createHash('sha256').update(`${instanceId}/${policy}`).digest();
  return digest.readUInt32BE(0) % jitterMs;
}
