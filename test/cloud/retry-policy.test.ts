import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_POLICY,
  retryDelayMs,
  retryKindOf,
  toEcsError,
} from '../../src/cloud/index.js';

const NO_JITTER = () => 0;
const ALMOST_FULL_JITTER = () => 0.999;
// Math.random never returns 1; this bound shows the ceiling itself.
const UPPER_BOUND = () => 1;

function sdkError(code: string, statusCode: number) {
  return Object.assign(new Error(`code: ${statusCode}, ${code} message request id: R1`), {
    code,
    statusCode,
    requestId: 'R1',
  });
}

describe('retryKindOf', () => {
  it.each([
    { code: 'Throttling', status: 400, kind: 'throttled' },
    { code: 'Throttling.User', status: 403, kind: 'throttled' },
    { code: 'Throttling.Api', status: 400, kind: 'throttled' },
    { code: 'InternalError', status: 500, kind: 'transient' },
    { code: 'ServiceUnavailable', status: 503, kind: 'transient' },
    { code: 'Operation.Conflict', status: 403, kind: 'transient' },
    { code: 'IdempotentProcessing', status: 403, kind: 'processing' },
    { code: 'InvalidSecurityToken.Expired', status: 400, kind: 'credentials-expired' },
    { code: 'Forbidden.RAM', status: 403, kind: undefined },
    { code: 'IncorrectDiskStatus', status: 403, kind: undefined },
    { code: 'InvalidDiskId.NotFound', status: 404, kind: undefined },
    { code: 'QuotaExceed.Snapshot', status: 403, kind: undefined },
    { code: 'IdempotentParameterMismatch', status: 403, kind: undefined },
  ])('sorts the failure as $kind when the code is $code', ({ code, status, kind }) => {
    expect(retryKindOf(toEcsError('CreateSnapshot', sdkError(code, status)))).toBe(kind);
  });

  it('sorts a failure as transient when no response came', () => {
    const error = toEcsError('CreateSnapshot', new Error('socket hang up'));

    expect(retryKindOf(error)).toBe('transient');
    expect(error.message).toBe('CreateSnapshot got no answer: socket hang up');
  });
});

describe('retryDelayMs', () => {
  const policy = DEFAULT_RETRY_POLICY;

  it('waits for the next flow-control minute when throttled', () => {
    // 2:05 into a minute leaves 55 s to the boundary.
    const now = Date.UTC(2026, 11, 4, 10, 2, 5);

    expect(retryDelayMs('throttled', 1, policy, now, NO_JITTER)).toBe(55_000);
  });

  it('adds at most the jitter when throttled near a boundary', () => {
    const now = Date.UTC(2026, 11, 4, 10, 2, 59, 500);

    const delay = retryDelayMs('throttled', 1, policy, now, ALMOST_FULL_JITTER) as number;

    expect(delay).toBeGreaterThanOrEqual(500);
    expect(delay).toBeLessThan(500 + policy.throttleJitterMs);
  });

  it('gives up when throttled more often than the policy allows', () => {
    expect(retryDelayMs('throttled', policy.throttledRetries, policy, 0, NO_JITTER)).toBeDefined();
    expect(retryDelayMs('throttled', policy.throttledRetries + 1, policy, 0)).toBeUndefined();
  });

  it('doubles the backoff up to the ceiling when failures repeat', () => {
    const delays = [1, 2, 3, 4, 5].map((retry) =>
      retryDelayMs('transient', retry, policy, 0, UPPER_BOUND),
    );

    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000]);
    expect(retryDelayMs('transient', policy.transientAttempts, policy, 0)).toBeUndefined();
  });

  it('keeps the delay within half the ceiling and the ceiling when jittered', () => {
    expect(retryDelayMs('transient', 3, policy, 0, NO_JITTER)).toBe(2000);
    expect(retryDelayMs('transient', 3, policy, 0, UPPER_BOUND)).toBe(4000);
  });

  it('retries once without delay when the token expired', () => {
    expect(retryDelayMs('credentials-expired', 1, policy, 0)).toBe(0);
    expect(retryDelayMs('credentials-expired', 2, policy, 0)).toBeUndefined();
  });

  it('grows the wait by half when IdempotentProcessing repeats', () => {
    const delays = [1, 2, 3].map((retry) =>
      retryDelayMs('processing', retry, policy, 0, UPPER_BOUND),
    );

    expect(delays).toEqual([2000, 3000, 4500]);
    expect(retryDelayMs('processing', policy.processingRetries + 1, policy, 0)).toBeUndefined();
  });
});
