import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EcsClient } from '../../src/cloud/index.js';
import { pinSnapshot, unpinSnapshot } from '../../src/retention/index.js';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { connectEcs } from './emulator-ecs.js';

const INSTANCE_ID = 'i-bp1selfsnap0emu0001';
const DATA_DISK = 'd-bp1selfsnap0dat00001';
const OWNED_TAGS = { 'selfsnap:instance': INSTANCE_ID, 'selfsnap:policy': 'nightly' };

describe('pinSnapshot and unpinSnapshot', () => {
  let emulator: Emulator;
  let ecs: EcsClient;

  beforeEach(async () => {
    emulator = await startEmulator({
      scenario: {
        snapshots: [
          { snapshotId: 's-owned', diskId: DATA_DISK, tags: OWNED_TAGS },
          {
            snapshotId: 's-pinned',
            diskId: DATA_DISK,
            tags: { ...OWNED_TAGS, 'selfsnap:pin': 'audit' },
          },
          {
            snapshotId: 's-other',
            diskId: DATA_DISK,
            tags: { ...OWNED_TAGS, 'selfsnap:instance': 'i-bp1other' },
          },
          { snapshotId: 's-console', diskId: DATA_DISK, name: 'console-made' },
        ],
      },
    });
    ecs = connectEcs(emulator);
  });

  afterEach(async () => {
    await emulator.close();
  });

  function tagsOf(snapshotId: string): Record<string, string> {
    const snapshot = emulator.control.snapshots().find((item) => item.snapshotId === snapshotId);
    return Object.fromEntries((snapshot?.tags ?? []).map((tag) => [tag.key, tag.value]));
  }

  it('tags selfsnap:pin with the reason when the snapshot is its own', async () => {
    const pinned = await pinSnapshot(ecs, INSTANCE_ID, 's-owned', 'before migration');

    expect(pinned.tags['selfsnap:pin']).toBe('before migration');
    expect(tagsOf('s-owned')).toEqual({ ...OWNED_TAGS, 'selfsnap:pin': 'before migration' });
    const [request] = emulator.control.requests({ action: 'TagResources' });
    expect(request?.params).toMatchObject({
      ResourceType: 'snapshot',
      'ResourceId.1': 's-owned',
      'Tag.1.Key': 'selfsnap:pin',
      'Tag.1.Value': 'before migration',
    });
  });

  it('removes selfsnap:pin with UntagResources and keeps the other tags', async () => {
    const unpinned = await unpinSnapshot(ecs, INSTANCE_ID, 's-pinned');

    expect('selfsnap:pin' in unpinned.tags).toBe(false);
    expect(tagsOf('s-pinned')).toEqual(OWNED_TAGS);
    const [request] = emulator.control.requests({ action: 'UntagResources' });
    expect(request?.params).toMatchObject({
      ResourceType: 'snapshot',
      'ResourceId.1': 's-pinned',
      'TagKey.1': 'selfsnap:pin',
    });
  });

  it('sends no UntagResources when the snapshot is not pinned', async () => {
    await unpinSnapshot(ecs, INSTANCE_ID, 's-owned');

    expect(emulator.control.requests({ action: 'UntagResources' })).toEqual([]);
  });

  it.each([
    ['s-other', 'it has selfsnap:instance=i-bp1other'],
    ['s-console', 'it has no selfsnap:instance tag'],
  ])('rejects %s and changes no tag because selfsnap does not own it', async (id, detail) => {
    await expect(pinSnapshot(ecs, INSTANCE_ID, id)).rejects.toMatchObject({
      code: 'REQUEST_INVALID',
      message: `snapshot ${id} is not selfsnap's own on ${INSTANCE_ID} (${detail}); selfsnap pins only its own snapshots`,
    });
    await expect(unpinSnapshot(ecs, INSTANCE_ID, id)).rejects.toMatchObject({
      code: 'REQUEST_INVALID',
    });
    expect(emulator.control.requests({ action: 'TagResources' })).toEqual([]);
    expect(emulator.control.requests({ action: 'UntagResources' })).toEqual([]);
  });

  it('answers NOT_FOUND when no snapshot has the id', async () => {
    await expect(pinSnapshot(ecs, INSTANCE_ID, 's-absent')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'no snapshot s-absent in this region',
    });
  });

  it.each([
    ['an id of another shape', 'd-bp1disk', '', 'invalid snapshot id "d-bp1disk"'],
    ['a reason longer than a tag value', 's-owned', 'x'.repeat(129), 'invalid pin reason'],
    ['a reason that is a URL', 's-owned', 'https://wiki/ticket', 'invalid pin reason'],
  ])('rejects %s before any call', async (_, id, reason, message) => {
    await expect(pinSnapshot(ecs, INSTANCE_ID, id, reason)).rejects.toMatchObject({
      code: 'REQUEST_INVALID',
      message: expect.stringContaining(message) as unknown,
    });
    expect(emulator.control.requests()).toEqual([]);
  });
});
