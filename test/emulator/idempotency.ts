import { ApiError } from './api-error.js';

interface TokenEntry {
  fingerprint: string;
  body: Record<string, unknown> | undefined;
}

/** What {@link ClientTokenRegistry.begin} found for a ClientToken. */
export type TokenClaim = { kind: 'new' } | { kind: 'replay'; body: Record<string, unknown> };

/**
 * ClientToken bookkeeping for idempotent actions: the first call with a token runs, a repeat with
 * the same parameters gets the first response body, a repeat with other parameters is rejected.
 */
export class ClientTokenRegistry {
  // NOTE: tokens never expire here; the real validity window of a ClientToken is not published.
  private readonly entries = new Map<string, TokenEntry>();

  /** Claims `token` for a call of `action` with `fingerprint` (its parameters); throws ApiError. */
  begin(action: string, token: string, fingerprint: string): TokenClaim {
    const key = `${action}\n${token}`;
    const entry = this.entries.get(key);
    if (entry === undefined) {
      this.entries.set(key, { fingerprint, body: undefined });
      return { kind: 'new' };
    }
    if (entry.fingerprint !== fingerprint) {
      throw new ApiError(
        403,
        'IdempotentParameterMismatch',
        `The ClientToken "${token}" was already used with different parameters.`,
      );
    }
    if (entry.body === undefined) {
      throw new ApiError(
        403,
        'IdempotentProcessing',
        `The first request with ClientToken "${token}" is still being processed.`,
      );
    }
    return { kind: 'replay', body: entry.body };
  }

  /** Stores the response body of the call that claimed `token`. */
  complete(action: string, token: string, body: Record<string, unknown>): void {
    const entry = this.entries.get(`${action}\n${token}`);
    if (entry !== undefined) entry.body = body;
  }

  /** Releases a token whose first call failed, so a retry runs again. */
  abandon(action: string, token: string): void {
    this.entries.delete(`${action}\n${token}`);
  }
}
