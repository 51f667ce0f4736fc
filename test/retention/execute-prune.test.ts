import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { EcsClient } from '../../src/cloud/index.js';
import { createLogger } from '../../src/log/index.js';
import {
  buildPruneInput,
  executePrune,
  listOwnedSnapshots,
  planPrune,
  type PrunePlan,
} from '../../src/retention/index.js';
import { startEmulator, type Emulator, type Scenario } from '../emulator/index.js';
import { connectEcs } from './emulator-ecs.js';

const INSTANCE_ID = 'i-bp1selfsnap0emu0001';
const DATA_DISK = 'd-bp1selfsnap0dat00001';
const OWNED_TAGS = { 'selfsnap:instance': INSTANCE_ID, 'selfsnap:policy': 'nightly' };

/** Creates a logger whose NDJSON lines are parsed into `lines`. */
function captureLogs() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), lines };
}

/** Builds a plan that deletes the given snapshots of the data disk. */
function planDeleting(snapshotIds: string[]): PrunePlan {
  return {
    instanceId: INSTANCE_ID,
    policy: 'nightly',
    timezone: 'UTC',
    now: new Date().toISOString(),
    entries: snapshotIds.map((snapshotId) => ({
      snapshotId,
      diskId: DATA_DISK,
      creationTime: '2026-01-01T00:00:00Z',
      action: 'delete' as const,
      reasons: ['not kept by keepLast 1'],
    })),
    warnings: [],
    ignoredCount: 0,
  };
}

function ownedSnapshots(count: number) {
  return Array.from({ length: count }, (_, index) => ({
    snapshotId: `s-owned${index}`,
    diskId: DATA_DISK,
    createdAgo: `${index + 1}d`,
    tags: OWNED_TAGS,
  }));
}

describe('executePrune', () => {
  let emulator: Emulator | undefined;

  async function start(scenario: Scenario): Promise<{ emulator: Emulator; ecs: EcsClient }> {
    emulator = await startEmulator({ scenario });
    return { emulator, ecs: connectEcs(emulator) };
  }

  function remainingIds(running: Emulator): string[] {
    return running.control
      .snapshots()
      .map((snapshot) => snapshot.snapshotId)
      .sort();
  }

  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  it('deletes what the plan deletes and nothing else when run end to end', async () => {
    const foreign = [
      { snapshotId: 's-console', diskId: DATA_DISK, createdAgo: '90d' },
      { snapshotId: 's-auto', diskId: DATA_DISK, type: 'auto' as const, createdAgo: '90d' },
      {
        snapshotId: 's-otherhost',
        diskId: DATA_DISK,
        createdAgo: '90d',
        tags: { ...OWNED_TAGS, 'selfsnap:instance': 'i-bp1other' },
      },
      {
        snapshotId: 's-otherpolicy',
        diskId: DATA_DISK,
        createdAgo: '90d',
        tags: { ...OWNED_TAGS, 'selfsnap:policy': 'weekly' },
      },
    ];
    const { emulator: running, ecs } = await start({
      snapshots: [...ownedSnapshots(10), ...foreign],
    });
    const { logger, lines } = captureLogs();

    const listing = await listOwnedSnapshots(ecs, INSTANCE_ID);
    const built = buildPruneInput(listing, {
      rules: { keepLast: 3 },
      timezone: 'Asia/Shanghai',
      now: new Date(),
      instanceId: INSTANCE_ID,
      policy: 'nightly',
      pinnedSnapshotIds: new Set(),
      undeletableSnapshotIds: new Set(),
      existingDiskIds: new Set(
        (await ecs.describeInstanceDisks(INSTANCE_ID)).map((disk) => disk.diskId),
      ),
    });
    if (!built.ok) throw new Error(built.reason);
    const plan = planPrune(built.input);
    const summary = await executePrune(plan, ecs, logger);

    const expectedDeleted = [
      's-owned3',
      's-owned4',
      's-owned5',
      's-owned6',
      's-owned7',
      's-owned8',
      's-owned9',
    ];
    const sentIds = running.control
      .requests({ action: 'DeleteSnapshot' })
      .map((request) => request.params.SnapshotId);
    // Only the other policy's snapshot carries this instance's tag, so only it reaches the planner.
    expect(plan.ignoredCount).toBe(1);
    expect(summary.deleted).toBe(7);
    expect(summary.undeletable).toBe(0);
    expect(summary.retryLater).toBe(0);
    expect(sentIds.sort()).toEqual(expectedDeleted);
    expect(remainingIds(running)).toEqual([
      's-auto',
      's-console',
      's-otherhost',
      's-otherpolicy',
      's-owned0',
      's-owned1',
      's-owned2',
    ]);
    expect(lines.filter((line) => line.msg === 'snapshot deleted')).toHaveLength(7);
    expect(lines.find((line) => line.msg === 'prune finished')).toMatchObject({
      deleted: 7,
      undeletable: 0,
      retryLater: 0,
    });
  });

  it.each([
    ['image', 'SnapshotCreatedImage'],
    ['disk', 'SnapshotCreatedDisk'],
  ] as const)('records undeletable when the snapshot backs an %s', async (usage, ecsCode) => {
    const { emulator: running, ecs } = await start({
      snapshots: [{ snapshotId: 's-used', diskId: DATA_DISK, usage, tags: OWNED_TAGS }],
    });
    const { logger, lines } = captureLogs();

    const summary = await executePrune(planDeleting(['s-used']), ecs, logger);

    expect(summary.undeletable).toBe(1);
    expect(summary.results[0]).toMatchObject({
      snapshotId: 's-used',
      outcome: 'undeletable',
      error: { ecsCode },
    });
    expect(remainingIds(running)).toEqual(['s-used']);
    expect(lines.find((line) => line.msg === 'snapshot cannot be deleted')).toMatchObject({
      level: 40,
      snapshotId: 's-used',
      diskId: DATA_DISK,
    });
  });

  it.each([
    ['InvalidParameter', 400, 'undeletable'],
    ['IncorrectSnapshotStatus', 403, 'undeletable'],
    ['InternalError', 500, 'retry-later'],
    ['ServiceUnavailable', 503, 'retry-later'],
    ['Operation.Conflict', 403, 'retry-later'],
    ['OperationConflict', 403, 'retry-later'],
    ['IncorrectDiskStatus.CreatingSnapshot', 403, 'retry-later'],
    ['Throttling', 400, 'retry-later'],
    ['Throttling.User', 400, 'retry-later'],
    ['Forbidden.RAM', 403, 'retry-later'],
    ['SignatureDoesNotMatch', 400, 'retry-later'],
  ])('records %s (HTTP %i) as %s', async (code, httpStatus, outcome) => {
    const { emulator: running, ecs } = await start({
      snapshots: [{ snapshotId: 's-target', diskId: DATA_DISK, tags: OWNED_TAGS }],
      faults: { errors: [{ action: 'DeleteSnapshot', code, httpStatus, count: 1 }] },
    });

    const summary = await executePrune(planDeleting(['s-target']), ecs, captureLogs().logger);

    expect(summary.results).toEqual([
      expect.objectContaining({
        snapshotId: 's-target',
        outcome,
        error: expect.objectContaining({ ecsCode: code }),
      }),
    ]);
    expect(remainingIds(running)).toEqual(['s-target']);
  });

  it('records deleted when the snapshot is already gone', async () => {
    const { ecs } = await start({});

    const summary = await executePrune(planDeleting(['s-vanished']), ecs, captureLogs().logger);

    expect(summary.results).toEqual([
      { snapshotId: 's-vanished', diskId: DATA_DISK, outcome: 'deleted' },
    ]);
  });

  it('records retry-later when the connection drops after the deletion', async () => {
    const { emulator: running, ecs } = await start({
      snapshots: ownedSnapshots(1),
      faults: { drops: [{ action: 'DeleteSnapshot', count: 1 }] },
    });

    const summary = await executePrune(planDeleting(['s-owned0']), ecs, captureLogs().logger);

    expect(summary.results[0]?.outcome).toBe('retry-later');
    expect(summary.results[0]?.error?.code).toBe('ECS_REQUEST_FAILED');
    expect(remainingIds(running)).toEqual([]);
  });

  it.each([
    ['Throttling', 400],
    ['Forbidden.RAM', 403],
  ])('starts no further deletions after %s', async (code, httpStatus) => {
    const { emulator: running, ecs } = await start({
      snapshots: ownedSnapshots(5),
      faults: {
        errors: [{ action: 'DeleteSnapshot', code, httpStatus, count: 1 }],
      },
    });
    const { logger, lines } = captureLogs();
    const ids = ['s-owned0', 's-owned1', 's-owned2', 's-owned3', 's-owned4'];

    const summary = await executePrune(planDeleting(ids), ecs, logger, { concurrency: 1 });

    expect(running.control.requests({ action: 'DeleteSnapshot' })).toHaveLength(1);
    expect(summary.retryLater).toBe(5);
    expect(summary.results[0]?.error?.ecsCode).toBe(code);
    expect(summary.results.slice(1).map((result) => result.error?.message)).toEqual(
      Array(4).fill(`not attempted after ${code}`),
    );
    expect(remainingIds(running)).toEqual(ids);
    expect(lines.find((line) => line.msg === 'prune stopped early')).toMatchObject({
      level: 40,
      stoppedBy: code,
      deleted: 0,
      retryLater: 5,
    });
  });

  it.each([
    ['the default of 4', undefined, 4],
    ['2 when set', 2, 2],
  ])('keeps at most %s deletions in flight', async (_, concurrency, expected) => {
    const { emulator: running, ecs } = await start({
      snapshots: ownedSnapshots(12),
      faults: { latencies: [{ action: 'DeleteSnapshot', latencyMs: 20 }] },
    });
    let inFlight = 0;
    let maxInFlight = 0;
    // Counts calls around the real client; every call still goes to the emulator.
    const counting = {
      deleteSnapshot: async (snapshotId: string) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          await ecs.deleteSnapshot(snapshotId);
        } finally {
          inFlight--;
        }
      },
    };
    const ids = ownedSnapshots(12).map((snapshot) => snapshot.snapshotId);

    const summary = await executePrune(planDeleting(ids), counting, captureLogs().logger, {
      concurrency,
    });

    expect(maxInFlight).toBe(expected);
    expect(summary.deleted).toBe(12);
    expect(remainingIds(running)).toEqual([]);
  });

  it('returns retry-later instead of throwing when the API is unreachable', async () => {
    const { emulator: running, ecs } = await start({ snapshots: ownedSnapshots(2) });
    await running.close();
    emulator = undefined;

    const summary = await executePrune(
      planDeleting(['s-owned0', 's-owned1']),
      ecs,
      captureLogs().logger,
    );

    expect(summary.retryLater).toBe(2);
    expect(summary.deleted).toBe(0);
  });

  it('sends nothing when the plan deletes nothing', async () => {
    const { emulator: running, ecs } = await start({ snapshots: ownedSnapshots(1) });

    const summary = await executePrune(planDeleting([]), ecs, captureLogs().logger);

    expect(summary).toMatchObject({ deleted: 0, undeletable: 0, retryLater: 0, results: [] });
    expect(running.control.requests({ action: 'DeleteSnapshot' })).toEqual([]);
  });
});
