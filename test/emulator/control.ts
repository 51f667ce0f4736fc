import type { ClockSettings, ClockState } from './clock.js';
import type { EmulatorCore } from './core.js';
import type {
  DropFault,
  ErrorFault,
  FaultState,
  LatencyFault,
  SnapshotFailureFault,
} from './faults.js';
import type { DiskRecord, DiskStatus, SnapshotRecord, SnapshotUsage } from './records.js';
import type { RecordedImdsRequest, RecordedRequest, RequestFilter } from './request-log.js';
import type { EmulatorSettings } from './settings.js';
import { snapshotProgressAt, type SnapshotProgress } from './snapshot-view.js';
import type { IssuedCredentials } from './sts.js';

/** A snapshot as the control endpoint shows it: the record plus its progress now. */
export type SnapshotView = Omit<SnapshotRecord, 'createdAtMs' | 'lastModifiedMs'> &
  SnapshotProgress & { creationTime: string; lastModifiedTime: string };

/** A change to a disk, now or after `afterMs` of emulated time. */
export interface DiskChange {
  diskId: string;
  status?: DiskStatus;
  /** Instance to attach to, or '' to detach. */
  instanceId?: string;
  afterMs?: number;
}

/** In-process handle to everything the `/_emulator/` control endpoint offers. */
export class EmulatorControl {
  constructor(private readonly core: EmulatorCore) {}

  /** Returns the ECS calls received so far, optionally of one action only. */
  requests(filter: RequestFilter = {}): RecordedRequest[] {
    return this.core.log.list(filter);
  }

  imdsRequests(): RecordedImdsRequest[] {
    return this.core.log.listImds();
  }

  clearRequests(): void {
    this.core.log.clear();
  }

  /** Returns every snapshot, newest first, with its progress at the current emulated time. */
  snapshots(): SnapshotView[] {
    const now = this.core.clock.now();
    return this.core.state.listSnapshots().map(({ createdAtMs, lastModifiedMs, ...rest }) => ({
      ...rest,
      ...snapshotProgressAt({ createdAtMs, lastModifiedMs, ...rest }, now),
      creationTime: new Date(createdAtMs).toISOString(),
      lastModifiedTime: new Date(lastModifiedMs).toISOString(),
    }));
  }

  disks(): DiskRecord[] {
    return structuredClone(this.core.state.listDisks());
  }

  /** Changes a disk's status or attachment now, or schedules it `afterMs` of emulated time ahead. */
  changeDisk(change: DiskChange): void {
    this.core.state.scheduleDiskEvent({
      atMs: this.core.clock.now() + (change.afterMs ?? 0),
      diskId: change.diskId,
      status: change.status,
      instanceId: change.instanceId,
    });
  }

  /** Marks a snapshot as backing an image or disks, so deleting it fails as on ECS. */
  setSnapshotUsage(snapshotId: string, usage: SnapshotUsage): void {
    const snapshot = this.core.state.snapshots.get(snapshotId);
    if (snapshot === undefined) throw new RangeError(`snapshot ${snapshotId} not found`);
    snapshot.usage = usage;
  }

  /** Returns the RAM role's current STS credentials, issuing a set if needed (in process only). */
  credentials(): IssuedCredentials {
    return { ...this.core.issuer.current(this.core.state.instance.roleName) };
  }

  /** Returns every credential set issued so far, expired ones included (in process only). */
  issuedCredentials(): IssuedCredentials[] {
    return this.core.issuer.issued();
  }

  clock(): ClockState {
    return this.core.clock.state();
  }

  setClock(settings: ClockSettings): void {
    this.core.clock.set(settings);
  }

  advanceClock(ms: number): void {
    this.core.clock.advance(ms);
  }

  settings(): EmulatorSettings {
    return structuredClone(this.core.state.settings);
  }

  /**
   * Changes settings; snapshots already started keep the duration they started with, and a new
   * credential lifetime or margin rotates the credentials.
   */
  updateSettings(changes: Partial<EmulatorSettings>): void {
    Object.assign(this.core.state.settings, changes);
    if (
      changes.credentialLifetimeMs !== undefined ||
      changes.credentialRotationMarginMs !== undefined
    ) {
      this.core.issuer.rotate();
    }
  }

  setSnapshotDuration(ms: number): void {
    this.updateSettings({ snapshotDurationMs: ms });
  }

  /**
   * Sets the credential lifetime, and optionally the rotation margin, and rotates: the next read
   * issues a set with the new lifetime while sets already issued keep their own expiration.
   */
  setCredentialLifetime(lifetimeMs: number, rotationMarginMs?: number): void {
    this.updateSettings({
      credentialLifetimeMs: lifetimeMs,
      ...(rotationMarginMs === undefined ? {} : { credentialRotationMarginMs: rotationMarginMs }),
    });
  }

  /** Makes the next credential read issue a new set; earlier sets stay valid until they expire. */
  rotateCredentials(): void {
    this.core.issuer.rotate();
  }

  faults(): FaultState {
    return this.core.faults.list();
  }

  injectError(fault: ErrorFault): void {
    this.core.faults.addError(fault);
  }

  injectLatency(fault: LatencyFault): void {
    this.core.faults.addLatency(fault);
  }

  dropResponses(fault: DropFault): void {
    this.core.faults.addDrop(fault);
  }

  failSnapshots(fault: SnapshotFailureFault): void {
    this.core.faults.addSnapshotFailure(fault);
  }

  setImdsHang(hang: boolean): void {
    this.core.faults.setImdsHang(hang);
  }

  /** Removes every injected fault, IMDS hang included. */
  resetFaults(): void {
    this.core.faults.reset();
  }
}
