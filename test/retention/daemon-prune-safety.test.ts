import { afterEach, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../socket/test-daemon.js';
import {
  countDescribeSnapshots,
  DATA_DISK_1,
  DATA_DISK_2,
  dailySnapshots,
  deleteRequests,
  ownTags,
  remainingIds,
  runToEnd,
} from './daemon-fixtures.js';

const RULES = { keepLast: 3, daily: 7, weekly: 4, monthly: 6, maxAge: '400d', minKeep: 2 };
const FOREIGN = [
  {
    snapshotId: 's-otherinstance',
    diskId: DATA_DISK_1,
    createdAgo: '300d',
    tags: { ...ownTags(), 'selfsnap:instance': 'i-bp1other0000000001' },
  },
  { snapshotId: 's-console', diskId: DATA_DISK_1, name: 'console-made', createdAgo: '300d' },
  { snapshotId: 's-automatic', diskId: DATA_DISK_1, type: 'auto' as const, createdAgo: '300d' },
  { snapshotId: 's-autotagged', diskId: DATA_DISK_1, type: 'auto' as const, tags: ownTags() },
  { snapshotId: 's-weekly', diskId: DATA_DISK_1, createdAgo: '300d', tags: ownTags('weekly') },
];

describe('daemon run prune safety', () => {
  let daemon: TestDaemon | undefined;

  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
  });

  it('prunes from every listing page and never touches foreign snapshots', async () => {
    daemon = await startTestDaemon({
      policies: {
        nightly: { disks: [DATA_DISK_1], retention: RULES },
        weekly: { disks: [DATA_DISK_1], retention: { keepLast: 1 } },
      },
      scenario: {
        settings: { snapshotDuration: '500ms' },
        snapshots: [...dailySnapshots(230, DATA_DISK_1, 'own'), ...FOREIGN],
      },
    });
    const { emulator } = daemon;

    const run = await runToEnd(daemon, 'nightly');
    // Let the daemon's reaction to the finished run land before counting its calls.
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(run.status).toBe('succeeded');
    expect(run.prune).toMatchObject({ status: 'pruned', diskIds: [DATA_DISK_1] });
    expect([...(run.prune?.deleted ?? [])].sort()).toEqual(deleteRequests(emulator));
    expect(deleteRequests(emulator).every((id) => id.startsWith('s-own'))).toBe(true);
    expect(deleteRequests(emulator)).toContain('s-own230');
    expect(remainingIds(emulator)).toEqual(expect.arrayContaining(['s-own001', 's-own002']));
    for (const foreign of FOREIGN) expect(remainingIds(emulator)).toContain(foreign.snapshotId);
    const keptOwn = remainingIds(emulator).filter(
      (id) => !FOREIGN.some((f) => f.snapshotId === id),
    );
    expect(keptOwn).toHaveLength(run.prune?.kept ?? -1);
    expect(run.prune?.kept).toBeLessThanOrEqual(3 + 7 + 4 + 6);
    // 230 seeded, the new one, and two foreign ones carry the instance tag: three pages of 100.
    expect(countDescribeSnapshots(emulator).pages).toBe(3);
    expect(emulator.control.requests({ action: 'DescribeDisks' })).toHaveLength(1);
  });

  it('leaves a disk alone when its new snapshot fails', async () => {
    daemon = await startTestDaemon({
      policies: { nightly: { disks: [DATA_DISK_1, DATA_DISK_2], retention: { keepLast: 2 } } },
      scenario: {
        settings: { snapshotDuration: '300ms' },
        snapshots: [
          ...dailySnapshots(5, DATA_DISK_1, 'one'),
          ...dailySnapshots(5, DATA_DISK_2, 'two'),
        ],
        faults: { snapshotFailures: [{ diskId: DATA_DISK_2, count: 1 }] },
      },
    });

    const run = await runToEnd(daemon, 'nightly');

    expect(run.status).toBe('partial');
    expect(run.disks.find((disk) => disk.diskId === DATA_DISK_2)?.status).toBe('failed');
    expect(run.prune).toMatchObject({ status: 'pruned', diskIds: [DATA_DISK_1], kept: 2 });
    expect(deleteRequests(daemon.emulator)).toEqual([
      's-one002',
      's-one003',
      's-one004',
      's-one005',
    ]);
    const twos = remainingIds(daemon.emulator).filter((id) => id.startsWith('s-two'));
    expect(twos).toHaveLength(5);
  });

  it('prunes a released disk only under orphans: prune', async () => {
    const released = 'd-bp1released0000001';
    daemon = await startTestDaemon({
      policies: {
        nightly: { disks: [DATA_DISK_1], retention: { keepLast: 2, orphans: 'prune' } },
        keeping: { disks: [DATA_DISK_1], retention: { keepLast: 2 } },
      },
      scenario: {
        settings: { snapshotDuration: '300ms' },
        snapshots: [
          ...dailySnapshots(3, released, 'gone'),
          ...dailySnapshots(3, released, 'kept', { tags: ownTags('keeping') }),
        ],
      },
    });

    const pruning = await runToEnd(daemon, 'nightly');
    const keeping = await runToEnd(daemon, 'keeping');

    expect(pruning.prune).toMatchObject({
      diskIds: [released, DATA_DISK_1],
      deleted: ['s-gone003'],
    });
    expect(keeping.prune).toMatchObject({ diskIds: [DATA_DISK_1], deleted: [] });
    // The daemon lists the disks once at start and plans both runs from that listing, and the
    // orphans: prune policy lists them once more.
    expect(daemon.emulator.control.requests({ action: 'DescribeDisks' })).toHaveLength(2);
  });

  it('prunes nothing when the listing fails on a later page', async () => {
    daemon = await startTestDaemon({
      policies: { nightly: { disks: [DATA_DISK_1], retention: { keepLast: 2 } } },
      scenario: {
        settings: { snapshotDuration: '300ms' },
        snapshots: dailySnapshots(150, DATA_DISK_1, 'own'),
        faults: {
          errors: [
            {
              action: 'DescribeSnapshots',
              code: 'InvalidParameter',
              httpStatus: 400,
              parameter: 'NextToken',
            },
          ],
        },
      },
    });

    const run = await runToEnd(daemon, 'nightly');
    const listing = daemon.emulator.control
      .requests({ action: 'DescribeSnapshots' })
      .filter((request) => request.params.SnapshotIds === undefined);

    expect(run.status).toBe('succeeded');
    expect(run.prune?.status).toBe('skipped');
    expect(run.prune?.reason).toMatch(/^listing snapshots failed: .*InvalidParameter/);
    expect(listing.slice(0, 2).map((request) => request.errorCode)).toEqual([
      undefined,
      'InvalidParameter',
    ]);
    expect(deleteRequests(daemon.emulator)).toEqual([]);
    expect(remainingIds(daemon.emulator)).toHaveLength(151);
  });
});
