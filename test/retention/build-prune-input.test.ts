import { afterEach, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/cloud/index.js';
import { SelfsnapError } from '../../src/errors/index.js';
import {
  buildPruneInput,
  listOwnedSnapshots,
  type PruneContext,
  type SnapshotListing,
} from '../../src/retention/index.js';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { connectEcs } from './emulator-ecs.js';
import { DISK_ID, INSTANCE_ID, NOW, POLICY, snapshotAt } from './snapshot-fixtures.js';

const CONTEXT: PruneContext = {
  rules: { keepLast: 3 },
  timezone: 'Europe/Berlin',
  now: NOW,
  instanceId: INSTANCE_ID,
  policy: POLICY,
  pinnedSnapshotIds: new Set(['s-pinned']),
  undeletableSnapshotIds: new Set(['s-undeletable']),
  existingDiskIds: new Set([DISK_ID]),
};

function listed(snapshots: Snapshot[]): SnapshotListing {
  return { complete: true, snapshots };
}

describe('buildPruneInput', () => {
  const newest = snapshotAt('2026-12-04T03:00:00Z');
  const older = snapshotAt('2026-12-03T03:00:00Z');

  it('passes the listing and the context through when the listing is consistent', () => {
    const result = buildPruneInput(listed([newest, older]), {
      ...CONTEXT,
      requiredSnapshotIds: [newest.snapshotId],
    });

    expect(result).toEqual({ ok: true, input: { ...CONTEXT, snapshots: [newest, older] } });
  });

  it('rejects a listing that failed', () => {
    const error = new SelfsnapError(
      'ECS_THROTTLED',
      'DescribeSnapshots failed with Throttling: slow down',
    );
    const result = buildPruneInput({ complete: false, error }, CONTEXT);

    expect(result).toEqual({
      ok: false,
      reason: 'listing snapshots failed: DescribeSnapshots failed with Throttling: slow down',
    });
  });

  it.each<[string, Snapshot[], Partial<PruneContext>, string]>([
    [
      'a duplicate SnapshotId',
      [newest, older, { ...newest }],
      {},
      'the listing contains snapshot s-20261204T0300 twice',
    ],
    [
      'an empty SnapshotId',
      [newest, { ...older, snapshotId: '' }],
      {},
      'the listing contains a snapshot without SnapshotId',
    ],
    [
      'a snapshot of another instance',
      [newest, snapshotAt('2026-12-01T00:00:00Z', { tags: { 'selfsnap:instance': 'i-bp1other' } })],
      {},
      'the listing contains snapshot s-20261201T0000, which is not tagged selfsnap:instance=i-bp1retention, so the tag filter was not applied',
    ],
    [
      'a missing required snapshot',
      [older],
      { requiredSnapshotIds: [newest.snapshotId, 's-other'] },
      'the listing lacks required snapshot s-20261204T0300, s-other',
    ],
    [
      'an unknown timezone',
      [newest],
      { timezone: 'Europe/Atlantis' },
      'unknown timezone "Europe/Atlantis"',
    ],
    [
      'an invalid now',
      [newest],
      { now: new Date('not a date') },
      'the current time is not a valid date',
    ],
    [
      'no existing disk',
      [newest],
      { existingDiskIds: new Set() },
      'no disk of the instance is known, so every snapshot would look orphaned',
    ],
  ])('rejects the input when it has %s', (_, snapshots, context, reason) => {
    expect(buildPruneInput(listed(snapshots), { ...CONTEXT, ...context })).toEqual({
      ok: false,
      reason,
    });
  });
});

describe('listOwnedSnapshots', () => {
  let emulator: Emulator | undefined;

  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  const diskId = 'd-bp1selfsnap0dat00001';
  const instanceId = 'i-bp1selfsnap0emu0001';

  it('returns every page of snapshots tagged with the instance', async () => {
    const owned = Array.from({ length: 150 }, (_, index) => ({
      snapshotId: `s-owned${String(index).padStart(3, '0')}`,
      diskId,
      createdAgo: `${index + 1}h`,
      tags: { 'selfsnap:instance': instanceId, 'selfsnap:policy': POLICY },
    }));
    const foreign = [
      { snapshotId: 's-console', diskId },
      { snapshotId: 's-auto', diskId, type: 'auto' as const },
      { snapshotId: 's-other', diskId, tags: { 'selfsnap:instance': 'i-bp1other' } },
    ];
    emulator = await startEmulator({ scenario: { snapshots: [...owned, ...foreign] } });

    const listing = await listOwnedSnapshots(connectEcs(emulator), instanceId);
    const ids = listing.complete ? listing.snapshots.map((snapshot) => snapshot.snapshotId) : [];

    expect(listing.complete).toBe(true);
    expect(ids.sort()).toEqual(owned.map((snapshot) => snapshot.snapshotId));
    expect(emulator.control.requests({ action: 'DescribeSnapshots' })).toHaveLength(2);
  });

  it('sends only the tag filter when listing', async () => {
    emulator = await startEmulator();

    await listOwnedSnapshots(connectEcs(emulator), instanceId);
    const [request] = emulator.control.requests({ action: 'DescribeSnapshots' });

    expect(request?.params).toMatchObject({
      'Tag.1.Key': 'selfsnap:instance',
      'Tag.1.Value': instanceId,
    });
    expect(request?.params).not.toHaveProperty('InstanceId');
  });

  it('returns the error when a later page is throttled', async () => {
    const owned = Array.from({ length: 120 }, (_, index) => ({
      diskId,
      createdAgo: `${index + 1}h`,
      tags: { 'selfsnap:instance': instanceId },
    }));
    emulator = await startEmulator({
      scenario: { snapshots: owned, settings: { flowControlPerMinute: { DescribeSnapshots: 1 } } },
    });

    const listing = await listOwnedSnapshots(connectEcs(emulator), instanceId);

    expect(listing.complete).toBe(false);
    expect(listing.complete ? undefined : listing.error.code).toBe('ECS_THROTTLED');
    expect(emulator.control.requests({ action: 'DescribeSnapshots' })).toHaveLength(2);
  });
});
