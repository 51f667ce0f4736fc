import type { DiskLookupRoots, SerialDirectory } from '../disks/index.js';
import { readTestLookupRoots } from '../disks/index.js';
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
