import type { Disk, EcsClient } from '../cloud/index.js';
import type { SelfsnapConfig } from '../config/index.js';
import {
  createConsistencyHooks,
  selfsnapPaths,
  type MountEntry,
  type QuiesceRegistry,
} from '../consistency/index.js';
import { resolveMountpoints, type DiskLookupRoots, type SerialDirectory } from '../disks/index.js';
import type { Logger } from '../log/index.js';
import type { DiskListing, RunHooks, RunRecord } from '../snapshot/index.js';

/** Inputs of the daemon's quiesce and release steps. */
export interface DaemonConsistencyOptions {
  config: SelfsnapConfig;
  ecs: EcsClient;
  registry: QuiesceRegistry;
  logger: Logger;
  /** The instance's disks, from the run's cache; DescribeDisks once per run without it. */
  diskListing?: DiskListing;
  serialDirectory?: SerialDirectory;
  diskLookupRoots?: Partial<DiskLookupRoots>;
}

/**
 * Creates the daemon's quiesce and release steps. A mountpoint may be frozen only when every
 * cloud disk under it, found through serial numbers as for `disks: {mountpoints}`, is a disk of
 * the run, and never when it contains the state or socket folder.
 */
export function createDaemonConsistencyHooks(
  options: DaemonConsistencyOptions,
): Required<Pick<RunHooks, 'quiesce' | 'release'>> {
  const instanceDisks = new RunDiskListing(options.ecs, options.diskListing);
  return createConsistencyHooks({
    registry: options.registry,
    logger: options.logger.child({ component: 'consistency' }),
    protectedPaths: selfsnapPaths(options.config),
    isOnRunDisks: async (run, mount) =>
      isOnRunDisks(run, mount, await instanceDisks.of(run), options),
  });
}

/**
 * Tells whether every cloud disk under a mount is one of the run's disks. Throws
 * MOUNTPOINT_UNRESOLVED when a disk under it cannot be identified, which fails the freeze.
 */
async function isOnRunDisks(
  run: RunRecord,
  mount: MountEntry,
  instanceDisks: Disk[],
  options: DaemonConsistencyOptions,
): Promise<boolean> {
  const [resolved] = await resolveMountpoints([mount.mountPoint], {
    instanceDisks,
    roots: options.diskLookupRoots,
    directory: options.serialDirectory,
  });
  const runDiskIds = new Set(run.disks.map((disk) => disk.diskId));
  const disks = resolved?.disks ?? [];
  return disks.length > 0 && disks.every((disk) => runDiskIds.has(disk.diskId));
}

/** The instance's disks, fetched once per run however many mountpoints it freezes. */
class RunDiskListing {
  private runId?: string;
  private listing?: Promise<Disk[]>;

  constructor(
    private readonly ecs: EcsClient,
    private readonly cache?: DiskListing,
  ) {}

  of(run: RunRecord): Promise<Disk[]> {
    if (this.runId !== run.id || this.listing === undefined) {
      this.runId = run.id;
      this.listing =
        this.cache === undefined
          ? this.ecs.describeInstanceDisks(run.instanceId)
          : this.cache.list().then((listed) => listed.disks);
    }
    return this.listing;
  }
}
