export { StateStore } from './state-store.js';
export { writeFileAtomic } from './write-file-atomic.js';
