import type { EmulatedClock } from './clock.js';
import type {
  DiskEvent,
  DiskRecord,
  InstanceRecord,
  SnapshotGroupRecord,
  SnapshotRecord,
} from './records.js';
import type { EmulatorSettings } from './settings.js';

/** The cloud-side state of one emulator: instance, disks, snapshots and groups. */
export class EmulatorState {
  readonly disks = new Map<string, DiskRecord>();
  readonly snapshots = new Map<string, SnapshotRecord>();
  readonly snapshotGroups = new Map<string, SnapshotGroupRecord>();
  private pendingDiskEvents: DiskEvent[];

  constructor(
    readonly instance: InstanceRecord,
    disks: readonly DiskRecord[],
    diskEvents: readonly DiskEvent[],
    readonly settings: EmulatorSettings,
    readonly clock: EmulatedClock,
  ) {
    for (const disk of disks) this.disks.set(disk.diskId, disk);
    this.pendingDiskEvents = [...diskEvents].sort((a, b) => a.atMs - b.atMs);
  }

  /** Applies the disk events whose emulated time has come; call before reading disks. */
  applyDueDiskEvents(): void {
    const now = this.clock.now();
    while (this.pendingDiskEvents.length > 0 && (this.pendingDiskEvents[0]?.atMs ?? 0) <= now) {
      const event = this.pendingDiskEvents.shift() as DiskEvent;
      const disk = this.disks.get(event.diskId);
      if (disk === undefined) continue;
      if (event.status !== undefined) disk.status = event.status;
      if (event.instanceId !== undefined) disk.instanceId = event.instanceId;
    }
  }

  /** Adds a disk event; one whose time has already come applies on the next read. */
  scheduleDiskEvent(event: DiskEvent): void {
    this.pendingDiskEvents.push(event);
    this.pendingDiskEvents.sort((a, b) => a.atMs - b.atMs);
  }

  /** Returns the disk with the current events applied, or undefined. */
  findDisk(diskId: string): DiskRecord | undefined {
    this.applyDueDiskEvents();
    return this.disks.get(diskId);
  }

  /** Returns all disks with the current events applied. */
  listDisks(): DiskRecord[] {
    this.applyDueDiskEvents();
    return [...this.disks.values()];
  }

  /** Returns snapshots newest first, the order DescribeSnapshots lists them in. */
  listSnapshots(): SnapshotRecord[] {
    return [...this.snapshots.values()].sort(
      (a, b) => b.createdAtMs - a.createdAtMs || (a.snapshotId < b.snapshotId ? -1 : 1),
    );
  }
}
