import { createHash } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import type { PolicyConfig } from '../config/index.js';
import type { Logger } from '../log/index.js';
import { findSkippedSlot } from './dst-gap-slots.js';
import { findPreviousSlot } from './find-previous-slot.js';

/** Reason given to the one run that makes up for slots missed while the daemon was down. */
export const CATCH_UP_REASON = 'catch-up';

/** Called when a policy's slot (plus its jitter) arrives; `reason` is set for a catch-up run. */
export type SlotHandler = (policy: string, reason?: string) => void;

/** Returns when the last scheduled run of a policy started, if one is on record. */
export type LastScheduledRun = (policy: string) => Date | undefined;

// How far ahead a slot skipped by a daylight saving change is looked for, enough for daily and
// weekly schedules to show it as their next run. The search runs again at least this often,
// which also corrects a timer that a wall-clock jump put off.
const SKIPPED_SLOT_HORIZON_MS = 8 * 86_400_000;

/**
 * Fires each scheduled policy on its cron slots, in the policy's timezone. Every slot is delayed by
 * a jitter that is fixed per instance and policy, so a fleet with one schedule spreads its calls
 * over the jitter window instead of hitting the API in the same second.
 *
 * A slot reached late, because the wall clock jumped forward or the event loop was blocked,
 * still fires once, as long as the next slot has not come yet. A slot whose local time a
 * daylight saving change skips fires once at the end of the jump. On start, a policy whose last
 * scheduled run is older than its latest slot gets one catch-up run, however many slots passed.
 */
export class Scheduler {
  private readonly tasks = new Map<string, ScheduledTask>();
  private readonly pending = new Set<NodeJS.Timeout>();
  private readonly skippedSlots = new Map<string, { at?: Date; timer: NodeJS.Timeout }>();
  private readonly catchUpChecks: Promise<void>[] = [];
  private stopped = false;

  constructor(
    private readonly policies: Record<string, PolicyConfig>,
    private readonly instanceId: string,
    private readonly onSlot: SlotHandler,
    private readonly logger: Logger,
    private readonly lastScheduledRun: LastScheduledRun = () => undefined,
  ) {}

  /** Starts a cron task for every policy that has a schedule, and catch-up runs where due. */
  start(): void {
    for (const [name, policy] of Object.entries(this.policies)) {
      if (policy.schedule === undefined) continue;
      const delayMs = jitterFor(this.instanceId, name, policy.jitter);
      const task = cron.schedule(policy.schedule, () => this.fire(name, delayMs), {
        name: `selfsnap-${name}`,
        timezone: policy.timezone,
        // node-cron drops a slot reached over 1 s late by default; a backup should still run.
        missedExecutionTolerance: Number.POSITIVE_INFINITY,
      });
      task.on('execution:missed', (context) => {
        this.logger.warn(
          { policy: name, slot: context.date.toISOString() },
          'scheduled slot missed',
        );
      });
      this.tasks.set(name, task);
      this.logger.info(
        { policy: name, schedule: policy.schedule, timezone: policy.timezone, jitterMs: delayMs },
        'policy scheduled',
      );
      this.watchSkippedSlots(name, policy.schedule, policy.timezone, delayMs, Date.now());
      this.catchUpChecks.push(this.catchUp(name, policy.schedule, policy.timezone, delayMs));
    }
  }

  /** Resolves once the start-up checks for missed slots are done (a catch-up may still wait). */
  async whenCaughtUp(): Promise<void> {
    await Promise.all(this.catchUpChecks);
  }

  /** Returns when a policy fires next, jitter included; undefined if it has no schedule. */
  nextRun(policy: string): Date | undefined {
    const next = this.tasks.get(policy)?.getNextRun();
    if (next === undefined || next === null) return undefined;
    const skipped = this.skippedSlots.get(policy)?.at;
    const slot = skipped !== undefined && skipped < next ? skipped : next;
    const config = this.policies[policy];
    const delayMs = config === undefined ? 0 : jitterFor(this.instanceId, policy, config.jitter);
    return new Date(slot.getTime() + delayMs);
  }

  /** Stops every cron task and drops slots waiting out their jitter. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
    for (const { timer } of this.skippedSlots.values()) clearTimeout(timer);
    this.skippedSlots.clear();
    await Promise.all([...this.tasks.values()].map((task) => task.destroy()));
    this.tasks.clear();
  }

  /** Starts one catch-up run when the policy's latest slot passed with no scheduled run since. */
  private async catchUp(policy: string, schedule: string, timezone: string, delayMs: number) {
    const lastRun = this.lastScheduledRun(policy);
    if (lastRun === undefined) return;
    try {
      const missed = await findPreviousSlot(schedule, timezone, new Date(), lastRun);
      if (missed === undefined || this.stopped) return;
      this.logger.info(
        { policy, missedSlot: missed.toISOString(), lastRunAt: lastRun.toISOString(), delayMs },
        'starting a catch-up run for a slot missed while the daemon was down',
      );
      this.fire(policy, delayMs, CATCH_UP_REASON);
    } catch (error) {
      this.logger.error({ err: error, policy }, 'cannot check for missed slots');
    }
  }

  /** Arms a timer for the next slot that a daylight saving change skips, within the horizon. */
  private watchSkippedSlots(
    policy: string,
    schedule: string,
    timezone: string,
    delayMs: number,
    fromMs: number,
  ): void {
    if (this.stopped) return;
    const at = findSkippedSlot(
      schedule,
      timezone,
      new Date(fromMs),
      new Date(fromMs + SKIPPED_SLOT_HORIZON_MS),
    );
    const targetMs = at?.getTime() ?? fromMs + SKIPPED_SLOT_HORIZON_MS;
    const timer = setTimeout(
      () => {
        if (at !== undefined && Date.now() >= at.getTime()) {
          this.logger.info(
            { policy, slot: at.toISOString() },
            'running a slot that a daylight saving change skipped',
          );
          this.fire(policy, delayMs);
        }
        const nextFrom = Date.now() >= targetMs ? targetMs : Date.now();
        this.watchSkippedSlots(policy, schedule, timezone, delayMs, nextFrom);
      },
      Math.max(0, targetMs - Date.now()),
    );
    timer.unref();
    this.skippedSlots.set(policy, { at, timer });
  }

  private fire(policy: string, delayMs: number, reason?: string): void {
    if (delayMs === 0) {
      this.onSlot(policy, reason);
      return;
    }
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      this.onSlot(policy, reason);
    }, delayMs);
    this.pending.add(timer);
  }
}

/** Returns when the newest scheduled run of `policy` in `runs` started. */
export function lastScheduledRunIn(
  runs: Iterable<{ policy: string; trigger: string; startedAt: string }>,
  policy: string,
): Date | undefined {
  let newest: string | undefined;
  for (const run of runs) {
    if (run.policy !== policy || run.trigger !== 'schedule') continue;
    if (newest === undefined || run.startedAt > newest) newest = run.startedAt;
  }
  return newest === undefined ? undefined : new Date(newest);
}

/** Derives a stable delay in [0, jitterMs) from the instance id and policy name. */
export function jitterFor(instanceId: string, policy: string, jitterMs: number): number {
  if (jitterMs <= 0) return 0;
  const digest = createHash('sha256').update(`${instanceId}/${policy}`).digest();
  return digest.readUInt32BE(0) % jitterMs;
}
