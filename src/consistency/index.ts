export { checkHookSafety } from './hook-safety.js';
export type { OutputLimits } from './hook-output.js';
export { buildHookEnv, runHook } from './run-hook.js';
export type { HookPhase, HookResult, HookRunInfo, RunHookOptions } from './run-hook.js';
