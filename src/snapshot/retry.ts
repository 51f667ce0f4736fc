import { SelfsnapError } from '../errors/index.js';

/** Backoff settings of a retried cloud call. */
export interface RetryOptions {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

const DEFAULT_RETRY: RetryOptions = { attempts: 4, baseDelayMs: 500, maxDelayMs: 8000 };

/**
 * Calls `operation` until it succeeds or fails with an error that is not retryable, waiting an
 * exponentially growing, jittered delay between attempts. The caller keeps the same ClientToken
 * across attempts, so a retried create cannot make a second snapshot.
 */
export async function withRetry<T>(
  operation: () => Promise<T>,
  options: RetryOptions = DEFAULT_RETRY,
): Promise<T> {
  let attempt = 0;
  for (;;) {
    attempt++;
    try {
      return await operation();
    } catch (error) {
      const retryable = error instanceof SelfsnapError && error.retryable;
      if (!retryable || attempt >= options.attempts) throw error;
      const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      await new Promise((resolve) =>
        setTimeout(resolve, ceiling / 2 + Math.random() * (ceiling / 2)),
      );
    }
  }
}
