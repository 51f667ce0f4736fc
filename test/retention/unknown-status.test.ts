import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '../../src/cloud/parse-response.js';
import { deletedIds, INSTANCE_ID, planFor, POLICY, reasonsOf } from './snapshot-fixtures.js';

const DISK_ID = 'd-bp1data';

/** A `Snapshots.Snapshot[]` entry as DescribeSnapshots returns it, with the given Status. */
function rawSnapshot(status: unknown, creationTime: string): Record<string, unknown> {
  return {
    SnapshotId: `s-${creationTime.slice(0, 10)}`,
    SnapshotName: `selfsnap-${POLICY}-${creationTime.replace(/[-:]/g, '')}`,
    Status: status,
    Progress: '100%',
    Available: true,
    CreationTime: creationTime,
    SourceDiskId: DISK_ID,
    SourceDiskType: 'data',
    SnapshotType: 'user',
    Tags: {
      Tag: [
        { TagKey: 'selfsnap:instance', TagValue: INSTANCE_ID },
        { TagKey: 'selfsnap:policy', TagValue: POLICY },
      ],
    },
  };
}

describe('parseSnapshot status', () => {
  it.each(['progressing', 'accomplished', 'failed'])('reads Status %s as it is', (status) => {
    const snapshot = parseSnapshot(rawSnapshot(status, '2026-12-01T03:00:00Z'));

    expect(snapshot.status).toBe(status);
    expect(snapshot.unknownStatus).toBeUndefined();
  });

  it.each<[string, unknown, string]>([
    ['a newer status', 'restoring', 'restoring'],
    ['a capitalized status', 'Failed', 'Failed'],
    ['no status', undefined, ''],
  ])('reads %s as unknown and keeps the text', (_, status, text) => {
    const snapshot = parseSnapshot(rawSnapshot(status, '2026-12-01T03:00:00Z'));

    expect(snapshot.status).toBe('unknown');
    expect(snapshot.unknownStatus).toBe(text);
  });
});

describe('planPrune of a parsed unknown status', () => {
  it('keeps the snapshot with a warning when the failed grace is long past', () => {
    const strange = parseSnapshot(rawSnapshot('restoring', '2026-01-01T03:00:00Z'));
    const failed = parseSnapshot(rawSnapshot('failed', '2026-01-02T03:00:00Z'));
    const newest = parseSnapshot(rawSnapshot('accomplished', '2026-12-04T03:00:00Z'));

    const plan = planFor([strange, failed, newest], { rules: { keepLast: 1 } });

    expect(reasonsOf(plan, strange.snapshotId)).toEqual(['unknown Status "restoring"']);
    expect(plan.warnings).toEqual([
      `kept snapshot ${strange.snapshotId}: unknown Status "restoring"`,
    ]);
    expect(deletedIds(plan)).toEqual([failed.snapshotId]);
  });
});
