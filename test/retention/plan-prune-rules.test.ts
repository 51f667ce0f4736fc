import { describe, expect, it } from 'vitest';
import type { RetentionRules } from '../../src/retention/index.js';
import {
  deletedIds,
  keptIds,
  planFor,
  reasonsOf,
  seriesBack,
  snapshotAt,
} from './snapshot-fixtures.js';

// Daily snapshots at 03:00 UTC from Friday 2026-12-04 back to 2026-11-05; the plan runs at
// 2026-12-04T12:00Z in UTC.
const DAILY_30 = seriesBack('2026-12-04T03:00:00Z', 30, 24);

describe('planPrune retention rules', () => {
  it.each<{ rules: RetentionRules; kept: string[]; snapshots?: typeof DAILY_30 }>([
    { rules: { keepLast: 3 }, kept: ['s-20261204T0300', 's-20261203T0300', 's-20261202T0300'] },
    {
      rules: { daily: 5 },
      snapshots: seriesBack('2026-12-04T03:00:00Z', 20, 12),
      kept: [
        's-20261204T0300',
        's-20261203T1500',
        's-20261202T1500',
        's-20261201T1500',
        's-20261130T1500',
      ],
    },
    { rules: { weekly: 3 }, kept: ['s-20261204T0300', 's-20261129T0300', 's-20261122T0300'] },
    {
      rules: { monthly: 3 },
      snapshots: seriesBack('2026-12-04T03:00:00Z', 60, 24),
      kept: ['s-20261204T0300', 's-20261130T0300', 's-20261031T0300'],
    },
    {
      rules: { yearly: 2 },
      snapshots: [
        snapshotAt('2026-12-04T03:00:00Z'),
        snapshotAt('2026-06-01T03:00:00Z'),
        snapshotAt('2025-12-31T03:00:00Z'),
        snapshotAt('2025-01-01T03:00:00Z'),
        snapshotAt('2024-12-31T03:00:00Z'),
      ],
      kept: ['s-20261204T0300', 's-20251231T0300'],
    },
    {
      rules: { hourly: 3 },
      snapshots: seriesBack('2026-12-04T11:45:00Z', 10, 0.5),
      kept: ['s-20261204T1145', 's-20261204T1045', 's-20261204T0945'],
    },
    {
      rules: { maxAge: 7 * 86_400_000 },
      kept: [
        's-20261204T0300',
        's-20261203T0300',
        's-20261202T0300',
        's-20261201T0300',
        's-20261130T0300',
        's-20261129T0300',
        's-20261128T0300',
      ],
    },
  ])('keeps what $rules alone selects', ({ rules, kept, snapshots = DAILY_30 }) => {
    const plan = planFor(snapshots, { rules });

    expect(keptIds(plan)).toEqual(kept);
    expect(deletedIds(plan)).toHaveLength(snapshots.length - kept.length);
  });

  it('keeps every accomplished snapshot when no rule is set', () => {
    const plan = planFor(DAILY_30, { rules: {} });

    expect(deletedIds(plan)).toEqual([]);
    expect(reasonsOf(plan, 's-20261105T0300')).toEqual(['no retention rules']);
  });

  it('keeps the union of keepLast, daily and weekly when combined', () => {
    const plan = planFor(DAILY_30, { rules: { keepLast: 2, daily: 4, weekly: 3 } });

    expect(keptIds(plan)).toEqual([
      's-20261204T0300',
      's-20261203T0300',
      's-20261202T0300',
      's-20261201T0300',
      's-20261129T0300',
      's-20261122T0300',
    ]);
    expect(reasonsOf(plan, 's-20261204T0300')).toEqual([
      'keepLast 2',
      'daily 2026-12-04',
      'weekly 2026-W49',
    ]);
    expect(reasonsOf(plan, 's-20261201T0300')).toEqual(['daily 2026-12-01']);
    expect(reasonsOf(plan, 's-20261130T0300')).toEqual([
      'not kept by keepLast 2, daily 4, weekly 3',
    ]);
  });

  it('deletes what monthly selects when older than maxAge', () => {
    const snapshots = seriesBack('2026-12-04T03:00:00Z', 90, 24);
    const plan = planFor(snapshots, { rules: { monthly: 6, maxAge: 40 * 86_400_000 } });

    expect(keptIds(plan)).toEqual(['s-20261204T0300', 's-20261130T0300', 's-20261031T0300']);
    expect(reasonsOf(plan, 's-20260930T0300')).toEqual(['older than maxAge 40d']);
    expect(reasonsOf(plan, 's-20261029T0300')).toEqual(['not kept by monthly 6']);
  });

  it('keeps the newest ones up to minKeep when the rules keep fewer', () => {
    const plan = planFor(DAILY_30, { rules: { keepLast: 2, minKeep: 5 } });

    expect(keptIds(plan)).toEqual([
      's-20261204T0300',
      's-20261203T0300',
      's-20261202T0300',
      's-20261201T0300',
      's-20261130T0300',
    ]);
    expect(reasonsOf(plan, 's-20261202T0300')).toEqual(['minKeep 5']);
    expect(reasonsOf(plan, 's-20261130T0300')).toEqual(['minKeep 5']);
  });

  it('keeps minKeep snapshots when maxAge would delete them all', () => {
    const snapshots = seriesBack('2026-11-24T03:00:00Z', 6, 24);
    const plan = planFor(snapshots, { rules: { maxAge: 7 * 86_400_000, minKeep: 3 } });

    expect(keptIds(plan)).toEqual(['s-20261124T0300', 's-20261123T0300', 's-20261122T0300']);
    expect(reasonsOf(plan, 's-20261124T0300')).toEqual(['newest of disk']);
    expect(reasonsOf(plan, 's-20261123T0300')).toEqual(['minKeep 3']);
    expect(reasonsOf(plan, 's-20261121T0300')).toEqual(['older than maxAge 7d']);
  });

  it('keeps the newest snapshot of a disk when every rule would delete it', () => {
    const snapshots = seriesBack('2026-11-01T03:00:00Z', 3, 24);
    const plan = planFor(snapshots, { rules: { maxAge: 7 * 86_400_000 } });

    expect(keptIds(plan)).toEqual(['s-20261101T0300']);
    expect(reasonsOf(plan, 's-20261101T0300')).toEqual(['newest of disk']);
  });

  it('keeps all snapshots when minKeep exceeds their number', () => {
    const snapshots = seriesBack('2026-12-04T03:00:00Z', 4, 24);
    const plan = planFor(snapshots, { rules: { keepLast: 1, minKeep: 10 } });

    expect(deletedIds(plan)).toEqual([]);
  });

  it('applies the rules to each disk separately', () => {
    const snapshots = [
      ...seriesBack('2026-12-04T03:00:00Z', 5, 24, { sourceDiskId: 'd-bp1system' }),
      ...seriesBack('2026-12-04T03:00:00Z', 5, 24),
    ];
    const plan = planFor(snapshots, { rules: { keepLast: 2 } });

    expect(keptIds(plan)).toEqual([
      's-20261204T0300',
      's-20261203T0300',
      's-20261204T0300-d-bp1system',
      's-20261203T0300-d-bp1system',
    ]);
    expect(plan.entries.map((entry) => entry.diskId)).toEqual([
      ...Array(5).fill('d-bp1data'),
      ...Array(5).fill('d-bp1system'),
    ]);
  });

  it('breaks a tie in CreationTime by SnapshotId when input order differs', () => {
    const first = snapshotAt('2026-12-04T03:00:00Z', { snapshotId: 's-a' });
    const second = snapshotAt('2026-12-04T03:00:00Z', { snapshotId: 's-b' });

    expect(keptIds(planFor([first, second], { rules: { keepLast: 1 } }))).toEqual(['s-a']);
    expect(keptIds(planFor([second, first], { rules: { keepLast: 1 } }))).toEqual(['s-a']);
  });

  it('returns plan metadata when called', () => {
    const plan = planFor(DAILY_30.slice(0, 2), {
      rules: { keepLast: 1 },
      timezone: 'Asia/Shanghai',
    });

    expect(plan.instanceId).toBe('i-bp1retention');
    expect(plan.policy).toBe('nightly');
    expect(plan.timezone).toBe('Asia/Shanghai');
    expect(plan.now).toBe('2026-12-04T12:00:00.000Z');
    expect(plan.warnings).toEqual([]);
    expect(plan.ignoredCount).toBe(0);
    expect(plan.entries[1]).toEqual({
      snapshotId: 's-20261203T0300',
      diskId: 'd-bp1data',
      creationTime: '2026-12-03T03:00:00Z',
      action: 'delete',
      reasons: ['not kept by keepLast 1'],
    });
  });
});
