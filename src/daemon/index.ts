export { createDaemonConsistencyHooks } from './daemon-consistency-hooks.js';
export type { DaemonConsistencyOptions } from './daemon-consistency-hooks.js';
export { createDiskListing, createDiskLookups } from './disk-lookups.js';
export type { DiskLookups } from './disk-lookups.js';
