export {
  DEFAULT_DISK_LISTING_MAX_AGE_MS,
  InstanceDiskCache,
  readBlockDevices,
} from './instance-disk-cache.js';
export type { DiskListingSource, InstanceDiskCacheOptions } from './instance-disk-cache.js';
export { DEFAULT_DISK_LOOKUP_ROOTS, resolveMountpoints } from './resolve-mountpoints.js';
export type {
  DiskLookupRoots,
  MountpointDisks,
  ResolvedDisk,
  ResolveOptions,
  SerialDirectory,
} from './resolve-mountpoints.js';
export {
  readTestLookupRoots,
  TEST_DISK_BY_ID_ROOT_VARIABLE,
  TEST_SYSFS_ROOT_VARIABLE,
} from './test-lookup-roots.js';
