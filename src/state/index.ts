export { StateStore } from './state-store.js';
export { writeFileAtomic } from './write-file-atomic.js';
export { DEFAULT_UNDELETABLE_RETRY_MS, UndeletableSnapshots } from './undeletable-snapshots.js';
export type {
  RejectedDeletion,
  UndeletableSnapshot,
  UndeletableUpdate,
} from './undeletable-snapshots.js';
