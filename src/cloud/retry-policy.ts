import type { SelfsnapError } from '../errors/index.js';

/** How long and how often a failed ECS call is retried, by kind of failure. */
export interface RetryPolicy {
  /** Attempts, the first included, after 5xx responses, conflicts and network failures. */
  transientAttempts: number;
  /** First backoff delay after a transient failure; it doubles on each further one. */
  baseDelayMs: number;
  /** Ceiling of any single backoff delay except the flow-control wait. */
  maxDelayMs: number;
  /** Throttled responses waited out before the call gives up. */
  throttledRetries: number;
  /** Length of the API's flow-control window: a call throttled in minute T passes in T+1. */
  flowControlWindowMs: number;
  /** Upper bound of the random delay added after the window boundary, spreading a fleet. */
  throttleJitterMs: number;
  /** `IdempotentProcessing` responses waited out before the call gives up. */
  processingRetries: number;
  /** First wait after `IdempotentProcessing`; it grows by half on each further one. */
  processingDelayMs: number;
}

/** Defaults: about two minutes of transient retries and up to thirty flow-control windows. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  transientAttempts: 6,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  // A fleet whose creates need more minutes of the account's quota than its jitter spreads them
  // over keeps a backlog that long. In bench/figures/fleet.ts (2,000 disks, 10m jitter, 100
  // CreateSnapshot calls a minute), five windows left 541 disks without a snapshot and thirty
  // covered every disk.
  throttledRetries: 30,
  // ECS flow control counts calls per account, region and API in one-minute windows.
  flowControlWindowMs: 60_000,
  throttleJitterMs: 15_000,
  processingRetries: 10,
  processingDelayMs: 2000,
};

/** The kind of retry a failed call allows. */
export type RetryKind = 'throttled' | 'transient' | 'processing' | 'credentials-expired';

/** Sorts a failure into the kind of retry it allows, or undefined when it is final. */
export function retryKindOf(error: SelfsnapError): RetryKind | undefined {
  if (error.code === 'ECS_THROTTLED') return 'throttled';
  if (error.ecsCode === 'IdempotentProcessing') return 'processing';
  if (error.ecsCode === 'InvalidSecurityToken.Expired') return 'credentials-expired';
  return error.retryable ? 'transient' : undefined;
}

/**
 * Returns the delay before retry number `retry` (1 for the first) of a failure of `kind`, or
 * undefined when the policy allows no more. A throttled call waits for the next flow-control
 * window, read from `nowMs`, plus jitter; an expired credential set is refreshed and retried once.
 */
export function retryDelayMs(
  kind: RetryKind,
  retry: number,
  policy: RetryPolicy,
  nowMs: number,
  random: () => number = Math.random,
): number | undefined {
  switch (kind) {
    case 'credentials-expired':
      return retry <= 1 ? 0 : undefined;
    case 'throttled': {
      if (retry > policy.throttledRetries) return undefined;
      const window = policy.flowControlWindowMs;
      return window - (nowMs % window) + Math.floor(random() * policy.throttleJitterMs);
    }
    case 'processing': {
      if (retry > policy.processingRetries) return undefined;
      const ceiling = Math.min(policy.maxDelayMs, policy.processingDelayMs * 1.5 ** (retry - 1));
      return halfJitter(ceiling, random);
    }
    case 'transient': {
      if (retry >= policy.transientAttempts) return undefined;
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
      return halfJitter(ceiling, random);
    }
  }
}

// A delay between half the ceiling and the ceiling: spread out, yet never much shorter than requested.
function halfJitter(ceiling: number, random: () => number): number {
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
