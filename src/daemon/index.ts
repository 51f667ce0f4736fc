export { createDaemonConsistencyHooks } from './daemon-consistency-hooks.js';
export type { DaemonConsistencyOptions } from './daemon-consistency-hooks.js';
export { createDiskLookups } from './disk-lookups.js';
export type { DiskLookups } from './disk-lookups.js';
