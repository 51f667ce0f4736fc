import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UndeletableSnapshots, type RejectedDeletion } from '../../src/state/index.js';
import { LogCapture } from '../engine/engine-harness.js';

const DAY_MS = 86_400_000;
const NOW = new Date('2026-12-04T03:00:00Z');
const IMAGE: RejectedDeletion = {
  snapshotId: 's-image',
  diskId: 'd-bp1data',
  policy: 'nightly',
  code: 'SnapshotCreatedImage',
  message: 'backs a custom image',
};

describe('UndeletableSnapshots', () => {
  let folder: string;
  let logs: LogCapture;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'selfsnap-retention-state-'));
    logs = new LogCapture();
  });

  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  async function open(): Promise<UndeletableSnapshots> {
    const store = new UndeletableSnapshots(folder, logs.logger);
    await store.load();
    return store;
  }

  it('holds a rejected snapshot for seven days when a deletion is rejected', async () => {
    const store = await open();

    await store.update({ rejected: [IMAGE], deleted: [] }, NOW);

    expect(store.heldAt(new Date(NOW.getTime() + 7 * DAY_MS - 1))).toEqual(new Set(['s-image']));
    expect(store.heldAt(new Date(NOW.getTime() + 7 * DAY_MS))).toEqual(new Set());
    expect(store.list()).toEqual([
      {
        ...IMAGE,
        firstRejectedAt: '2026-12-04T03:00:00.000Z',
        lastRejectedAt: '2026-12-04T03:00:00.000Z',
        retryAfter: '2026-12-11T03:00:00.000Z',
      },
    ]);
  });

  it('writes retention.json readable by its owner only and reads it back', async () => {
    const store = await open();

    await store.update({ rejected: [IMAGE], deleted: [] }, NOW);
    const reopened = await open();
    const file = JSON.parse(await readFile(join(folder, 'retention.json'), 'utf8')) as {
      version: number;
      undeletable: { snapshotId: string }[];
    };

    expect((await stat(join(folder, 'retention.json'))).mode & 0o777).toBe(0o600);
    expect(file.version).toBe(1);
    expect(file.undeletable.map((record) => record.snapshotId)).toEqual(['s-image']);
    expect(reopened.list()).toEqual(store.list());
  });

  it('keeps the first rejection time when a retry is rejected again', async () => {
    const store = await open();
    const later = new Date(NOW.getTime() + 8 * DAY_MS);

    await store.update({ rejected: [IMAGE], deleted: [] }, NOW);
    await store.update({ rejected: [{ ...IMAGE, message: 'still backs it' }], deleted: [] }, later);

    expect(store.list()).toMatchObject([
      {
        message: 'still backs it',
        firstRejectedAt: '2026-12-04T03:00:00.000Z',
        lastRejectedAt: '2026-12-12T03:00:00.000Z',
        retryAfter: '2026-12-19T03:00:00.000Z',
      },
    ]);
  });

  it('forgets a snapshot when it is deleted or no longer listed', async () => {
    const store = await open();
    const other = { ...IMAGE, snapshotId: 's-disk', code: 'SnapshotCreatedDisk' };
    await store.update({ rejected: [IMAGE, other], deleted: [] }, NOW);

    await store.update({ rejected: [], deleted: ['s-image'] }, NOW);
    const afterDelete = store.list().map((record) => record.snapshotId);
    await store.update({ rejected: [], deleted: [], listedIds: new Set(['s-other']) }, NOW);

    expect(afterDelete).toEqual(['s-disk']);
    expect(store.list()).toEqual([]);
    expect((await open()).list()).toEqual([]);
  });

  it('starts empty with a warning when the file is not JSON', async () => {
    await writeFile(join(folder, 'retention.json'), '{"version": 1, "undel');

    const store = await open();

    expect(store.list()).toEqual([]);
    expect(logs.find('ignoring unreadable retention state')).toHaveLength(1);
  });

  it('starts empty without a warning when the file does not exist', async () => {
    const store = await open();

    expect(store.list()).toEqual([]);
    expect(logs.records).toEqual([]);
  });
});
