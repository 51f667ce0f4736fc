import type { Clock, Disk, EcsClient } from '../cloud/index.js';
import type { DiskLookupRoots, SerialDirectory } from '../disks/index.js';
import type { Logger } from '../log/index.js';
import type { InstanceIdentity } from '../metadata/index.js';
import type { JournalStep } from './journal-step.js';
import type { RunHooks } from './run-hooks.js';
import type { RunRecord } from './run-record.js';

/** Polling intervals while waiting for snapshots to finish, in ms; each wait grows by half. */
export interface PollIntervals {
  initial: number;
  max: number;
}

/** Source of the instance's disks that may return a cached listing, such as InstanceDiskCache. */
export interface DiskListing {
  list(signal?: AbortSignal): Promise<{ disks: Disk[]; source: 'cache' | 'api' }>;
  /** Drops a cached listing after a create showed it may be out of date. */
  invalidate(reason: string): void;
}

/** The services and settings a run takes from the daemon. */
export interface RunContext {
  ecs: EcsClient;
  identity: InstanceIdentity;
  logger: Logger;
  /**
   * Writes the run durably and notifies waiters; resolves once a write that contains the run's
   * current state has finished. Several steps given at once share that one write.
   */
  journal(run: RunRecord, steps: JournalStep | readonly JournalStep[]): Promise<void>;
  hooks?: RunHooks;
  /** Time source of the polling waits; the system clock by default. */
  clock?: Clock;
  /** Aborted when the daemon stops: no new creates start and waiting ends. */
  signal?: AbortSignal;
  pollIntervalMs?: PollIntervals;
  /** Maps disk serial numbers to disk ids, for mountpoint selections. */
  serialDirectory?: SerialDirectory;
  /** Locations of mountinfo, sysfs and by-id links for mountpoint resolution. */
  diskLookupRoots?: Partial<DiskLookupRoots>;
  /** Source of the instance's disks for planning. Without it, every run calls DescribeDisks. */
  diskListing?: DiskListing;
  /** Disks one CreateSnapshotGroup may cover. */
  groupDiskLimit?: number;
}

/** Default polling: a first look after 2 s, then growing to one call a minute. */
export const DEFAULT_POLL_INTERVALS: PollIntervals = { initial: 2000, max: 60_000 };
/** Older documentation allows 16 disks per snapshot group and the current SDK 128; 16 is safe. */
export const DEFAULT_GROUP_DISK_LIMIT = 16;
