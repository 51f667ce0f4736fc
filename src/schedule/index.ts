export { CATCH_UP_REASON, jitterFor, lastScheduledRunIn, Scheduler } from './scheduler.js';
export type { LastScheduledRun, SlotHandler } from './scheduler.js';
export { findPreviousSlot } from './find-previous-slot.js';
export { findSkippedSlot } from './dst-gap-slots.js';
