import { describe, expect, it } from 'vitest';
import { SelfsnapError } from '../../src/errors/index.js';
import { groupIneligibility } from '../../src/snapshot/group-eligibility.js';
import { selectDisks } from '../../src/snapshot/select-disks.js';
import { cloudDisk } from '../disks/fake-system.js';

const SYSTEM = cloudDisk('d-bp1system00000000001', { type: 'system' });
const DATA = cloudDisk('d-bp1data0000000000002');
const LOCAL = cloudDisk('d-bp1local000000000003', { category: 'local_ssd_pro' });
const DISKS = [SYSTEM, DATA, LOCAL];

describe('selectDisks', () => {
  it.each([
    { selection: 'all' as const, expected: [SYSTEM.diskId, DATA.diskId] },
    { selection: 'system' as const, expected: [SYSTEM.diskId] },
    { selection: 'data' as const, expected: [DATA.diskId] },
  ])('leaves out local disks when the selection is $selection', async ({ selection, expected }) => {
    const chosen = await selectDisks(DISKS, selection);

    expect(chosen.map((disk) => disk.diskId)).toEqual(expected);
  });

  it('keeps the listed order and drops repeats when given disk ids', async () => {
    const chosen = await selectDisks(DISKS, [DATA.diskId, SYSTEM.diskId, DATA.diskId]);

    expect(chosen.map((disk) => disk.diskId)).toEqual([DATA.diskId, SYSTEM.diskId]);
  });

  it('rejects the selection when an id is not attached', async () => {
    const error = await selectDisks(DISKS, [DATA.diskId, 'd-bp1gone000000000009']).catch(
      (caught: unknown) => caught as SelfsnapError,
    );

    expect(error).toBeInstanceOf(SelfsnapError);
    expect(error).toMatchObject({
      code: 'DISK_NOT_FOUND',
      message: 'disks d-bp1gone000000000009 are not attached to this instance',
    });
  });
});

describe('groupIneligibility', () => {
  it('accepts the disks when all are ESSD-family in one zone', () => {
    const disks = [
      cloudDisk('d-1a', { category: 'cloud_auto' }),
      cloudDisk('d-1b', { category: 'cloud_essd_entry' }),
    ];

    expect(groupIneligibility(disks, 16)).toBeUndefined();
  });

  it.each([
    { case: 'the run has no disks', disks: [], reason: 'the run has no disks' },
    {
      case: 'a disk is cloud_ssd',
      disks: [cloudDisk('d-1a'), cloudDisk('d-1b', { category: 'cloud_ssd' })],
      reason:
        'disk d-1b is cloud_ssd; snapshot groups need cloud_essd, cloud_auto, cloud_essd_entry',
    },
    {
      case: 'there are more disks than the limit',
      disks: [cloudDisk('d-1a'), cloudDisk('d-1b'), cloudDisk('d-1c')],
      reason: '3 disks exceed the snapshot group limit of 2 (ecs.snapshotGroupDiskLimit)',
    },
  ])('explains why not when $case', ({ disks, reason }) => {
    expect(groupIneligibility(disks, 2)).toBe(reason);
  });
});
