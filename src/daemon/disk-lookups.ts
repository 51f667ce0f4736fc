import type { EcsClient } from '../cloud/index.js';
import {
  DEFAULT_DISK_LOOKUP_ROOTS,
  InstanceDiskCache,
  readTestLookupRoots,
  type DiskLookupRoots,
  type SerialDirectory,
} from '../disks/index.js';
import type { Logger } from '../log/index.js';
import type { MetadataClient } from '../metadata/index.js';

/** The daemon's lookups from mountpoints to cloud disks, for disk selection and the freeze guard. */
export interface DiskLookups {
  serialDirectory: SerialDirectory;
  diskLookupRoots: Partial<DiskLookupRoots>;
}

/**
 * Creates the daemon's disk lookups: serial numbers resolve through the metadata service's
 * `disks/<serial>/id`, and sysfs and by-id are the real ones unless a `SELFSNAP_TEST_*` test aid
 * replaces them.
 */
export function createDiskLookups(metadata: MetadataClient): DiskLookups {
  return {
    serialDirectory: {
      diskIdOf: (serial) => metadata.find(`disks/${serial}/id`, 'disks'),
    },
    diskLookupRoots: readTestLookupRoots(),
  };
}

/**
 * Creates the daemon's cache of the instance's DescribeDisks listing and starts filling it, so
 * the first triggered run finds it ready. A failed first fetch is logged; the first run retries.
 */
export function createDiskListing(
  ecs: EcsClient,
  instanceId: string,
  lookups: DiskLookups,
  logger: Logger,
): InstanceDiskCache {
  const cache = new InstanceDiskCache({
    describe: (signal) => ecs.describeInstanceDisks(instanceId, { signal }),
    sysRoot: lookups.diskLookupRoots.sys ?? DEFAULT_DISK_LOOKUP_ROOTS.sys,
    logger: logger.child({ component: 'disks' }),
  });
  cache.refresh().catch((error: unknown) => {
    logger.warn({ err: error }, 'cannot list the instance disks; the first run lists them');
  });
  return cache;
}
