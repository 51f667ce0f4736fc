import { newResourceId } from './ids.js';
import type { Tag } from './params.js';
import type { DiskEvent, DiskRecord, InstanceRecord, SnapshotRecord } from './records.js';
import type { ResolvedScenario } from './scenario.js';
import type { EmulatorSettings } from './settings.js';

type ScenarioDisk = NonNullable<ResolvedScenario['disks']>[number];

/** The seeded disks: one system disk and two data disks, all ESSD and in use. */
const SEEDED_DISKS: Array<Partial<ScenarioDisk> & Pick<ScenarioDisk, 'diskId'>> = [
  { diskId: 'd-bp1selfsnap0sys00001', type: 'system', size: 40, device: '/dev/xvda' },
  { diskId: 'd-bp1selfsnap0dat00001', type: 'data', size: 100, device: '/dev/xvdb' },
  { diskId: 'd-bp1selfsnap0dat00002', type: 'data', size: 200, device: '/dev/xvdc' },
];

function toTags(record: Record<string, string>): Tag[] {
  return Object.entries(record).map(([key, value]) => ({ key, value }));
}

/** Builds the instance record; the hostname defaults to the `iZ<id>Z` form ECS gives. */
export function seedInstance(scenario: ResolvedScenario, now: number): InstanceRecord {
  const instance = scenario.instance;
  return {
    ...instance,
    instanceName: instance.instanceName ?? instance.instanceId,
    hostname: instance.hostname ?? `iZ${instance.instanceId.slice(2)}Z`,
    creationTime: now - 30 * 86_400_000,
    tags: toTags(instance.tags),
  };
}

/** Builds the disk records; the serial number defaults to the disk id without `d-`, as on ECS. */
export function seedDisks(scenario: ResolvedScenario, instance: InstanceRecord): DiskRecord[] {
  const disks = scenario.disks ?? SEEDED_DISKS.map((disk) => ({ ...disk }));
  return disks.map((disk) => {
    const instanceId = disk.instanceId ?? instance.instanceId;
    return {
      diskId: disk.diskId,
      diskName: disk.diskName ?? '',
      serialNumber: disk.serialNumber ?? disk.diskId.slice(2),
      category: disk.category ?? 'cloud_essd',
      type: disk.type ?? 'data',
      status: disk.status ?? (instanceId === '' ? 'Available' : 'In_use'),
      instanceId,
      device: disk.device ?? '',
      sizeGiB: disk.size ?? 40,
      zoneId: disk.zoneId ?? instance.zoneId,
      encrypted: disk.encrypted ?? false,
      portable: disk.portable ?? disk.type !== 'system',
      multiAttach: disk.multiAttach ?? false,
      everAttached: disk.everAttached ?? true,
      tags: toTags(disk.tags ?? {}),
      creationTime: instance.creationTime,
    };
  });
}

/** Converts the scenario's disk events to absolute emulated times. */
export function seedDiskEvents(scenario: ResolvedScenario, now: number): DiskEvent[] {
  return scenario.diskEvents.map((event) => ({
    atMs: now + event.after,
    diskId: event.diskId,
    status: event.status,
    instanceId: event.instanceId,
  }));
}

/** Builds the pre-existing snapshots (other instances', console-made, automatic). */
export function seedSnapshots(
  scenario: ResolvedScenario,
  disks: readonly DiskRecord[],
  settings: EmulatorSettings,
  now: number,
): SnapshotRecord[] {
  return scenario.snapshots.map((seeded) => {
    const disk = disks.find((candidate) => candidate.diskId === seeded.diskId);
    const createdAtMs = now - seeded.createdAgo;
    // A seeded progressing snapshot still needs one full snapshot duration from now.
    const durationMs =
      seeded.status === 'progressing' ? seeded.createdAgo + settings.snapshotDurationMs : 0;
    return {
      snapshotId: seeded.snapshotId ?? newResourceId('s'),
      snapshotName: seeded.name,
      description: seeded.description,
      sourceDiskId: seeded.diskId,
      sourceDiskType: disk?.type ?? 'data',
      sourceDiskSizeGiB: disk?.sizeGiB ?? 40,
      sourceDiskCategory: disk?.category ?? 'cloud_essd',
      instanceId: seeded.instanceId ?? disk?.instanceId ?? '',
      snapshotType: seeded.type,
      createdAtMs,
      lastModifiedMs: createdAtMs,
      durationMs,
      availableFraction: settings.snapshotAvailableFraction,
      outcome: seeded.status === 'failed' ? 'failed' : 'accomplished',
      retentionDays: seeded.retentionDays,
      usage: seeded.usage,
      encrypted: disk?.encrypted ?? false,
      tags: toTags(seeded.tags),
      snapshotGroupId: undefined,
    };
  });
}
