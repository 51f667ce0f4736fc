import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/cloud/index.js';
import {
  DISK_ID,
  INSTANCE_ID,
  deletedIds,
  keptIds,
  planFor,
  reasonsOf,
  seriesBack,
  snapshotAt,
} from './snapshot-fixtures.js';

const HOUR_MS = 3_600_000;

describe('planPrune ownership', () => {
  it.each<[string, Partial<Snapshot>]>([
    ['another instance', { tags: { 'selfsnap:instance': 'i-bp1other' } }],
    ['another policy', { tags: { 'selfsnap:policy': 'weekly' } }],
    ['an automatic snapshot policy', { snapshotType: 'auto' }],
  ])('leaves out a snapshot of %s', (_, overrides) => {
    const foreign = snapshotAt('2026-12-04T06:00:00Z', { ...overrides, snapshotId: 's-foreign' });
    const owned = seriesBack('2026-12-04T03:00:00Z', 3, 24);
    const plan = planFor([foreign, ...owned], { rules: { keepLast: 2 } });

    expect(plan.entries.map((entry) => entry.snapshotId)).not.toContain('s-foreign');
    expect(plan.ignoredCount).toBe(1);
    expect(keptIds(plan)).toEqual(['s-20261204T0300', 's-20261203T0300']);
  });

  it('leaves out a snapshot made in the console when it has no tags', () => {
    const consoleMade: Snapshot = {
      ...snapshotAt('2026-01-01T00:00:00Z'),
      snapshotId: 's-console',
      tags: {},
    };
    const plan = planFor([consoleMade, snapshotAt('2026-12-04T03:00:00Z')], {
      rules: { maxAge: 86_400_000 },
    });

    expect(plan.entries.map((entry) => entry.snapshotId)).toEqual(['s-20261204T0300']);
    expect(plan.ignoredCount).toBe(1);
  });

  it('leaves out a snapshot when the instance tag differs only in case', () => {
    const lookalike = snapshotAt('2026-01-01T00:00:00Z', {
      tags: { 'selfsnap:instance': INSTANCE_ID.toUpperCase() },
    });

    expect(planFor([lookalike], { rules: { maxAge: HOUR_MS } }).entries).toEqual([]);
  });
});

describe('planPrune snapshot status', () => {
  it('keeps a progressing snapshot whatever the rules say', () => {
    const progressing = snapshotAt('2026-10-01T03:00:00Z', { status: 'progressing', progress: 40 });
    const plan = planFor([progressing, ...seriesBack('2026-12-04T03:00:00Z', 2, 24)], {
      rules: { keepLast: 1, maxAge: HOUR_MS * 24 },
    });

    expect(reasonsOf(plan, 's-20261001T0300')).toEqual(['progressing']);
    expect(keptIds(plan)).toEqual(['s-20261204T0300', 's-20261001T0300']);
  });

  it('does not count a newer progressing snapshot toward keepLast', () => {
    const progressing = snapshotAt('2026-12-04T11:00:00Z', { status: 'progressing' });
    const plan = planFor([progressing, ...seriesBack('2026-12-04T03:00:00Z', 3, 24)], {
      rules: { keepLast: 2 },
    });

    expect(keptIds(plan)).toEqual(['s-20261204T1100', 's-20261204T0300', 's-20261203T0300']);
  });

  it.each([
    [0, 'keep', 'failed within grace 1d'],
    [23.9, 'keep', 'failed within grace 1d'],
    [24, 'delete', 'failed past grace 1d'],
    [500, 'delete', 'failed past grace 1d'],
  ])(
    'decides on a failed snapshot %s hours old with the default grace',
    (hours, action, reason) => {
      const failed = snapshotAt('2026-12-04T12:00:00Z', {
        status: 'failed',
        snapshotId: 's-failed',
      });
      const now = new Date(Date.parse('2026-12-04T12:00:00Z') + hours * HOUR_MS);
      const plan = planFor([failed, snapshotAt('2026-12-04T03:00:00Z')], { now, rules: {} });

      expect(plan.entries.find((entry) => entry.snapshotId === 's-failed')?.action).toBe(action);
      expect(reasonsOf(plan, 's-failed')).toEqual([reason]);
    },
  );

  it('deletes a failed snapshot after failedGrace when set', () => {
    const failed = snapshotAt('2026-12-04T10:00:00Z', { status: 'failed' });
    const plan = planFor([failed, snapshotAt('2026-12-04T03:00:00Z')], {
      rules: { failedGrace: HOUR_MS, keepLast: 5 },
    });

    expect(deletedIds(plan)).toEqual(['s-20261204T1000']);
    expect(reasonsOf(plan, 's-20261204T1000')).toEqual(['failed past grace 1h']);
  });

  it('keeps the newest accomplished snapshot when newer ones failed', () => {
    const failed = seriesBack('2026-12-03T03:00:00Z', 3, 1, { status: 'failed' });
    const accomplished = seriesBack('2026-11-01T03:00:00Z', 3, 24);
    const plan = planFor([...failed, ...accomplished], { rules: { maxAge: HOUR_MS } });

    expect(keptIds(plan)).toEqual(['s-20261101T0300']);
    expect(deletedIds(plan)).toHaveLength(5);
  });
});

describe('planPrune pins and earlier failures', () => {
  it.each<[string, Partial<Snapshot>, ReadonlySet<string>]>([
    ['the selfsnap:pin tag', { tags: { 'selfsnap:pin': 'before upgrade' } }, new Set()],
    ['an empty selfsnap:pin tag', { tags: { 'selfsnap:pin': '' } }, new Set()],
    ['the pinned set', {}, new Set(['s-20261001T0300'])],
  ])('keeps a snapshot pinned by %s', (_, overrides, pinnedSnapshotIds) => {
    const old = snapshotAt('2026-10-01T03:00:00Z', overrides);
    const plan = planFor([old, ...seriesBack('2026-12-04T03:00:00Z', 3, 24)], {
      rules: { keepLast: 2, maxAge: 7 * 24 * HOUR_MS },
      pinnedSnapshotIds,
    });

    expect(reasonsOf(plan, 's-20261001T0300')).toEqual(['pinned']);
    expect(deletedIds(plan)).toEqual(['s-20261202T0300']);
  });

  it('does not count a pinned snapshot toward keepLast', () => {
    const snapshots = seriesBack('2026-12-04T03:00:00Z', 4, 24);
    const plan = planFor(snapshots, {
      rules: { keepLast: 2 },
      pinnedSnapshotIds: new Set(['s-20261204T0300']),
    });

    expect(keptIds(plan)).toEqual(['s-20261204T0300', 's-20261203T0300', 's-20261202T0300']);
  });

  it('skips a previously undeletable snapshot when counting', () => {
    const snapshots = seriesBack('2026-12-04T03:00:00Z', 5, 24);
    const plan = planFor(snapshots, {
      rules: { keepLast: 2 },
      undeletableSnapshotIds: new Set(['s-20261204T0300', 's-20261201T0300']),
    });

    expect(keptIds(plan)).toEqual([
      's-20261204T0300',
      's-20261203T0300',
      's-20261202T0300',
      's-20261201T0300',
    ]);
    expect(reasonsOf(plan, 's-20261204T0300')).toEqual(['previously undeletable']);
    expect(reasonsOf(plan, 's-20261201T0300')).toEqual(['previously undeletable']);
  });
});

describe('planPrune orphans', () => {
  const gone = seriesBack('2026-06-01T03:00:00Z', 4, 24, { sourceDiskId: 'd-bp1released' });
  const existing = seriesBack('2026-12-04T03:00:00Z', 4, 24);

  it('keeps every snapshot of a disk that is gone by default', () => {
    const plan = planFor([...gone, ...existing], {
      rules: { keepLast: 1, maxAge: 30 * 24 * HOUR_MS },
      existingDiskIds: new Set([DISK_ID]),
    });

    expect(keptIds(plan)).toHaveLength(5);
    for (const snapshot of gone) {
      expect(reasonsOf(plan, snapshot.snapshotId)).toEqual(['source disk gone']);
    }
  });

  it('applies the rules to a disk that is gone when orphans is prune', () => {
    const plan = planFor([...gone, ...existing], {
      rules: { keepLast: 1, maxAge: 30 * 24 * HOUR_MS, orphans: 'prune' },
      existingDiskIds: new Set([DISK_ID]),
    });

    expect(keptIds(plan)).toEqual(['s-20261204T0300', 's-20260601T0300-d-bp1released']);
    expect(reasonsOf(plan, 's-20260601T0300-d-bp1released')).toEqual(['newest of disk']);
  });

  it('deletes a failed snapshot of a disk that is gone after the grace', () => {
    const failed = snapshotAt('2026-06-02T03:00:00Z', {
      sourceDiskId: 'd-bp1released',
      status: 'failed',
    });
    const plan = planFor([failed, ...gone], { rules: {}, existingDiskIds: new Set([DISK_ID]) });

    expect(deletedIds(plan)).toEqual([failed.snapshotId]);
  });
});

describe('planPrune unreadable snapshots', () => {
  it.each<[string, Partial<Snapshot>, string]>([
    [
      'a malformed CreationTime',
      { creationTime: 'yesterday' },
      'unparseable CreationTime "yesterday"',
    ],
    [
      'an impossible date',
      { creationTime: '2026-02-30T00:00:00Z' },
      'unparseable CreationTime "2026-02-30T00:00:00Z"',
    ],
    [
      'an unknown Status',
      { status: 'restoring' as Snapshot['status'] },
      'unknown Status "restoring"',
    ],
    ['no SourceDiskId', { sourceDiskId: '' }, 'missing SourceDiskId'],
    ['no SnapshotId', { snapshotId: '' }, 'missing SnapshotId'],
  ])('keeps a snapshot with a warning when it has %s', (_, overrides, reason) => {
    const unreadable = { ...snapshotAt('2026-01-01T00:00:00Z'), ...overrides };
    const plan = planFor([unreadable, ...seriesBack('2026-12-04T03:00:00Z', 3, 24)], {
      rules: { keepLast: 2, maxAge: 30 * 24 * HOUR_MS },
      existingDiskIds: new Set([DISK_ID]),
    });
    const entry = plan.entries.find((candidate) => candidate.reasons[0] === reason);

    expect(entry?.action).toBe('keep');
    expect(plan.warnings).toEqual([`kept snapshot ${unreadable.snapshotId}: ${reason}`]);
    expect(deletedIds(plan)).toEqual(['s-20261202T0300']);
  });
});
