export { findReusableHookRun } from './find-reusable-hook-run.js';
export type { HookTriggerRequest } from './find-reusable-hook-run.js';
export { formatHookReason, parseHookReason, REASON_MAX } from './hook-reason.js';
export type { HookPhase, HookReason, PackageManager } from './hook-reason.js';
