import { ApiError } from './api-error.js';
import type { EmulatorSettings } from './settings.js';

const MINUTE_MS = 60_000;

/**
 * Per-action call limits in fixed one-minute windows of emulated time, like the real per-API flow
 * control: once an action is throttled in minute T, its calls pass again from minute T+1.
 */
export class FlowControl {
  private readonly counts = new Map<string, { minute: number; calls: number }>();

  constructor(private readonly settings: EmulatorSettings) {}

  /** Counts a call of `action` at `nowMs` and throws `Throttling.User` when over the limit. */
  admit(action: string, nowMs: number): void {
    const limit =
      this.settings.flowControlPerMinute[action] ?? this.settings.flowControlPerMinute['*'];
    if (limit === undefined) return;

    const minute = Math.floor(nowMs / MINUTE_MS);
    const window = this.counts.get(action);
    const calls = window !== undefined && window.minute === minute ? window.calls + 1 : 1;
    this.counts.set(action, { minute, calls });
    if (calls > limit) {
      throw new ApiError(
        400,
        'Throttling.User',
        `Request was denied due to flow control: ${action} is limited to ${limit} calls per minute.`,
      );
    }
  }
}
