import { formatDuration } from '../config/index.js';
import { PERIOD_KINDS, type PeriodLabels } from './calendar-periods.js';
import type { PruneAction, RetentionRules } from './prune-plan.js';

/** The decision on one snapshot of a series. */
export interface Decision {
  action: PruneAction;
  reasons: string[];
}

/** Accomplished snapshots of one disk that the rules decide on, newest first. */
export interface DiskSeries {
  /** CreationTime of each snapshot in epoch milliseconds, newest first. */
  creationMs: readonly number[];
  /** Labels the calendar periods of an instant in the policy's timezone. */
  labelPeriods: (epochMs: number) => PeriodLabels;
  nowMs: number;
}

/**
 * Decides which snapshots of one disk the retention rules keep, one decision per snapshot.
 *
 * A snapshot is kept when keepLast or a tiered rule selects it. Then maxAge deletes what is too
 * old, and finally the newest snapshot and the minKeep newest ones are kept whatever the rules
 * said. With no keepLast and no tiered rule, every snapshot younger than maxAge is kept.
 */
export function applyRetentionRules(series: DiskSeries, rules: RetentionRules): Decision[] {
  const selectingRules = describeSelectingRules(rules);
  const reasons = series.creationMs.map((): string[] => []);

  if (selectingRules.length === 0) {
    const reason =
      rules.maxAge === undefined
        ? 'no retention rules'
        : `within maxAge ${formatDuration(rules.maxAge)}`;
    for (const list of reasons) list.push(reason);
  } else {
    selectNewest(rules.keepLast, reasons);
    selectPerPeriod(series, rules, reasons);
  }

  const notKept = `not kept by ${selectingRules.join(', ')}`;
  const decisions = reasons.map((list): Decision =>
    list.length > 0 ? { action: 'keep', reasons: list } : { action: 'delete', reasons: [notKept] },
  );

  applyMaxAge(series, rules.maxAge, decisions);
  const newest = decisions[0];
  if (newest !== undefined && newest.action === 'delete') {
    decisions[0] = { action: 'keep', reasons: ['newest of disk'] };
  }
  applyMinKeep(rules.minKeep ?? 1, decisions);
  return decisions;
}

/** Names the rules that select snapshots to keep, e.g. `keepLast 7`, `daily 7`. */
function describeSelectingRules(rules: RetentionRules): string[] {
  const described: string[] = [];
  if (rules.keepLast !== undefined) described.push(`keepLast ${rules.keepLast}`);
  for (const kind of PERIOD_KINDS) {
    const limit = rules[kind];
    if (limit !== undefined) described.push(`${kind} ${limit}`);
  }
  return described;
}

function selectNewest(keepLast: number | undefined, reasons: string[][]): void {
  if (keepLast === undefined) return;
  for (const list of reasons.slice(0, keepLast)) list.push(`keepLast ${keepLast}`);
}

/**
 * Keeps the newest snapshot of each of the last N periods that contain a snapshot, so a gap (an
 * instance stopped for a week) does not use up the periods. A set of seen labels, rather than a
 * change of label, is what counts periods, because a local date can repeat after a clock change.
 */
function selectPerPeriod(series: DiskSeries, rules: RetentionRules, reasons: string[][]): void {
  const labels: (PeriodLabels | undefined)[] = [];
  const labelsAt = (index: number): PeriodLabels =>
    (labels[index] ??= series.labelPeriods(series.creationMs[index] as number));

  for (const kind of PERIOD_KINDS) {
    const limit = rules[kind];
    if (limit === undefined) continue;
    const seen = new Set<string>();
    for (let index = 0; index < reasons.length && seen.size < limit; index++) {
      const label = labelsAt(index)[kind];
      if (seen.has(label)) continue;
      seen.add(label);
      reasons[index]?.push(`${kind} ${label}`);
    }
  }
}

function applyMaxAge(series: DiskSeries, maxAge: number | undefined, decisions: Decision[]): void {
  if (maxAge === undefined) return;
  const reason = `older than maxAge ${formatDuration(maxAge)}`;
  series.creationMs.forEach((creationMs, index) => {
    if (series.nowMs - creationMs > maxAge) {
      decisions[index] = { action: 'delete', reasons: [reason] };
    }
  });
}

/** Turns the newest deletions back into keeps until the disk keeps at least minKeep snapshots. */
function applyMinKeep(minKeep: number, decisions: Decision[]): void {
  let keptCount = decisions.filter((decision) => decision.action === 'keep').length;
  for (let index = 0; index < decisions.length && keptCount < minKeep; index++) {
    if (decisions[index]?.action !== 'delete') continue;
    decisions[index] = { action: 'keep', reasons: [`minKeep ${minKeep}`] };
    keptCount++;
  }
}
