import type { FaultPlan } from '../faults.js';
import type { RequestParams } from '../params.js';
import type { EmulatorState } from '../state.js';

/** What an action handler may read and change. */
export interface ActionContext {
  params: RequestParams;
  state: EmulatorState;
  faults: FaultPlan;
  /** Emulated time of the call. */
  now: number;
}

/** One ECS API action the emulator implements. */
export interface ActionDefinition {
  name: string;
  /** Documented parameter names (flattened lists by base name); any other is rejected. */
  parameters: readonly string[];
  /** Whether a ClientToken makes repeated calls return the first result. */
  idempotent?: boolean;
  /** Validates, applies the change and returns the response body without RequestId; throws ApiError. */
  handle(context: ActionContext): Record<string, unknown>;
}
