import {
  startEmulator,
  type Emulator,
  type Scenario,
  type SnapshotView,
} from '../emulator/index.js';

/** The disks the emulator seeds on its instance. */
export const SEEDED_DISK_IDS = [
  'd-bp1selfsnap0sys00001',
  'd-bp1selfsnap0dat00001',
  'd-bp1selfsnap0dat00002',
] as const;

/** Another selfsnap agent's instance in the same account and region. */
const NEIGHBOUR_INSTANCE = 'i-bp1neighbour00000001';

/**
 * Snapshots that are not this instance's selfsnap snapshots, yet look close to them: made in the
 * console on its disks, backing an image, made by selfsnap on a neighbour instance with the same
 * policy name, or tagged with a policy but without the instance tag.
 */
const FOREIGN_SNAPSHOTS: NonNullable<Scenario['snapshots']> = [
  { diskId: SEEDED_DISK_IDS[1], name: 'console-before-migration', createdAgo: '3d' },
  { diskId: SEEDED_DISK_IDS[0], name: 'golden-image-base', createdAgo: '40d', usage: 'image' },
  {
    diskId: 'd-bp1neighbour0dat0001',
    instanceId: NEIGHBOUR_INSTANCE,
    name: 'selfsnap-nightly-20261101T030000Z',
    createdAgo: '30d',
    tags: {
      'selfsnap:instance': NEIGHBOUR_INSTANCE,
      'selfsnap:policy': 'nightly',
      'selfsnap:run': '20261101T030000Z-nightly-0a0b',
    },
  },
  {
    diskId: SEEDED_DISK_IDS[2],
    name: 'selfsnap-nightly-handmade',
    createdAgo: '2d',
    tags: { 'selfsnap:policy': 'nightly' },
  },
];

/** An emulator with the foreign snapshots seeded, and the snapshots that are not selfsnap's. */
export interface CaseWorld {
  emulator: Emulator;
  foreign: SnapshotView[];
}

/**
 * Starts an emulator whose snapshots take `snapshotDuration` (1 s by default) and that holds the
 * foreign snapshots; `scenario` adds to or overrides that.
 */
export async function startWorld(scenario: Scenario = {}): Promise<CaseWorld> {
  const emulator = await startEmulator({
    scenario: {
      ...scenario,
      snapshots: [...FOREIGN_SNAPSHOTS, ...(scenario.snapshots ?? [])],
      settings: { snapshotDuration: '1s', ...scenario.settings },
    },
  });
  return { emulator, foreign: emulator.control.snapshots() };
}

/** Returns the snapshots selfsnap made for one run, as the emulator holds them. */
export function snapshotsOfRun(emulator: Emulator, runId: string): SnapshotView[] {
  return emulator.control
    .snapshots()
    .filter((snapshot) =>
      snapshot.tags.some((tag) => tag.key === 'selfsnap:run' && tag.value === runId),
    );
}
