export { checkHookSafety } from './hook-safety.js';
export type { OutputLimits } from './hook-output.js';
export { buildHookEnv, runHook } from './run-hook.js';
export type { HookPhase, HookResult, HookRunInfo, RunHookOptions } from './run-hook.js';
export type { MountEntry } from './mount-table.js';
export { resolveFreezeTargets } from './freeze-targets.js';
export type { FreezeGuard, ProtectedPath } from './freeze-targets.js';
export { runFsfreeze } from './fsfreeze.js';
export { freezeFilesystems } from './freeze-filesystems.js';
export type { FreezeOptions, FreezeWindow, FrozenFilesystems } from './freeze-filesystems.js';
export { resolveWatchdogCommand } from './watchdog-process.js';
export type { WatchdogCommandLine } from './watchdog-process.js';
export {
  runThawWatchdog,
  runThawWatchdogIfRequested,
  THAW_WATCHDOG_COMMAND,
} from './thaw-watchdog.js';
export { quiesce } from './quiesce.js';
export type {
  Consistency,
  HooksConfig,
  QuiesceOptions,
  QuiesceSession,
  ReleaseResult,
} from './quiesce.js';
export { QuiesceRegistry } from './quiesce-registry.js';
export {
  checkQuiesceHeld,
  createConsistencyHooks,
  selfsnapPaths,
} from './consistency-run-hooks.js';
export type { ConsistencyHooksOptions } from './consistency-run-hooks.js';
