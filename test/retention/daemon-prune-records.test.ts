import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/snapshot/index.js';
import { getJson, requestSocket, startTestDaemon, type TestDaemon } from '../socket/test-daemon.js';
import { waitUntil } from '../support/wait.js';
import {
  DATA_DISK_1,
  dailySnapshots,
  deleteRequests,
  ownTags,
  remainingIds,
  runToEnd,
} from './daemon-fixtures.js';

const NIGHTLY = { nightly: { disks: [DATA_DISK_1], retention: { keepLast: 2 } } };

describe('daemon run prune records', () => {
  let daemon: TestDaemon | undefined;

  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
  });

  it('ends partial on an undeletable snapshot, then skips it', async () => {
    daemon = await startTestDaemon({
      policies: NIGHTLY,
      scenario: {
        settings: { snapshotDuration: '300ms' },
        snapshots: [
          ...dailySnapshots(2, DATA_DISK_1, 'own'),
          {
            snapshotId: 's-image',
            diskId: DATA_DISK_1,
            createdAgo: '3d',
            usage: 'image',
            tags: ownTags(),
          },
        ],
      },
    });

    const first = await runToEnd(daemon, 'nightly');
    const stored = JSON.parse(
      await readFile(join(daemon.folder, 'state', 'retention.json'), 'utf8'),
    ) as { undeletable: { snapshotId: string; code: string }[] };
    const second = await runToEnd(daemon, 'nightly');

    expect(first.status).toBe('partial');
    expect(first.prune).toMatchObject({ deleted: ['s-own002'], undeletable: ['s-image'], kept: 2 });
    expect(stored.undeletable).toMatchObject([
      { snapshotId: 's-image', code: 'SnapshotCreatedImage' },
    ]);
    expect(second.status).toBe('succeeded');
    expect(second.prune).toMatchObject({ deleted: ['s-own001'], undeletable: [], kept: 2 });
    expect(deleteRequests(daemon.emulator)).toEqual(['s-image', 's-own001', 's-own002']);
    expect(remainingIds(daemon.emulator)).toContain('s-image');
  });

  it('keeps pinned snapshots until they are unpinned through the socket', async () => {
    daemon = await startTestDaemon({
      policies: NIGHTLY,
      scenario: {
        settings: { snapshotDuration: '300ms' },
        snapshots: [
          ...dailySnapshots(3, DATA_DISK_1, 'own'),
          {
            snapshotId: 's-consolepin',
            diskId: DATA_DISK_1,
            createdAgo: '10d',
            tags: { ...ownTags(), 'selfsnap:pin': '' },
          },
        ],
      },
    });
    const socket = daemon.socketPath;
    const pin = await requestSocket(socket, 'POST', '/v1/snapshots/s-own003/pin', {
      body: JSON.stringify({ reason: 'before migration' }),
    });

    const pinnedRun = await runToEnd(daemon, 'nightly');
    const unpin = await requestSocket(socket, 'DELETE', '/v1/snapshots/s-own003/pin');
    const unpinnedRun = await runToEnd(daemon, 'nightly');

    expect(pin.status).toBe(200);
    expect(JSON.parse(pin.text)).toMatchObject({
      snapshot: {
        snapshotId: 's-own003',
        pinned: true,
        tags: { 'selfsnap:pin': 'before migration' },
      },
    });
    expect(pinnedRun.prune?.deleted).toEqual(['s-own002']);
    expect(unpin.status).toBe(200);
    expect(JSON.parse(unpin.text)).toMatchObject({ snapshot: { pinned: false } });
    expect([...(unpinnedRun.prune?.deleted ?? [])].sort()).toEqual(['s-own001', 's-own003']);
    expect(remainingIds(daemon.emulator)).toContain('s-consolepin');
  });

  it('rejects pinning a snapshot of another instance', async () => {
    daemon = await startTestDaemon({
      policies: NIGHTLY,
      scenario: {
        snapshots: [
          {
            snapshotId: 's-foreign',
            diskId: DATA_DISK_1,
            tags: { ...ownTags(), 'selfsnap:instance': 'i-bp1other0000000001' },
          },
        ],
      },
    });

    const answer = await requestSocket(daemon.socketPath, 'POST', '/v1/snapshots/s-foreign/pin');

    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'REQUEST_INVALID' } });
    expect(daemon.emulator.control.requests({ action: 'TagResources' })).toEqual([]);
  });

  it('prunes after a scheduled run', async () => {
    daemon = await startTestDaemon({
      policies: {
        nightly: { ...NIGHTLY.nightly, schedule: '*/2 * * * * *', timezone: 'UTC' },
      },
      scenario: {
        settings: { snapshotDuration: '300ms' },
        snapshots: dailySnapshots(3, DATA_DISK_1, 'own'),
      },
    });
    const socket = daemon.socketPath;

    const run = await waitUntil(
      async () => {
        const { body } = await getJson<{ runs: RunRecord[] }>(socket, '/v1/runs?limit=200');
        // Runs come newest first, and the slot fires again every two seconds: take the first.
        const ended = body.runs.filter(
          (item) => item.trigger === 'schedule' && item.status !== 'running',
        );
        return ended.at(-1);
      },
      20_000,
      'a scheduled run to end',
      100,
    );

    expect(run.status).toBe('succeeded');
    expect(run.prune).toMatchObject({ status: 'pruned', kept: 2 });
    expect([...(run.prune?.deleted ?? [])].sort()).toEqual(['s-own002', 's-own003']);
  });
});
