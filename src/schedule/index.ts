export { jitterFor, Scheduler } from './scheduler.js';
export type { SlotHandler } from './scheduler.js';
