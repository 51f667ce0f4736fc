export { DEFAULT_DISK_LOOKUP_ROOTS, resolveMountpoints } from './resolve-mountpoints.js';
export type {
  DiskLookupRoots,
  MountpointDisks,
  ResolvedDisk,
  ResolveOptions,
  SerialDirectory,
} from './resolve-mountpoints.js';
