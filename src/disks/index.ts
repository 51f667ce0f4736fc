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
