import { SelfsnapError } from '../errors/index.js';
import type { RunStatus } from '../snapshot/index.js';
import type { RunFilter } from './socket-api.js';

const RUN_STATUSES: readonly RunStatus[] = ['running', 'succeeded', 'partial', 'failed'];
const DEFAULT_LIMIT = 50;
// The daemon keeps at most 200 runs in memory; a larger limit would only look like more.
const MAX_LIMIT = 200;

/** Reads the `policy`, `status` and `limit` query parameters of `GET /v1/runs`. */
export function parseRunFilter(query: URLSearchParams): RunFilter {
  rejectUnknown(query, ['policy', 'status', 'limit']);
  const filter: RunFilter = { limit: DEFAULT_LIMIT };

  const policy = query.get('policy');
  if (policy !== null) filter.policy = policy;

  const status = query.get('status');
  if (status !== null) {
    if (!RUN_STATUSES.includes(status as RunStatus)) {
      throw invalid(`status must be one of ${RUN_STATUSES.join(', ')}`);
    }
    filter.status = status as RunStatus;
  }

  const limit = query.get('limit');
  if (limit !== null) {
    const value = Number(limit);
    if (!/^\d+$/.test(limit) || value < 1 || value > MAX_LIMIT) {
      throw invalid(`limit must be a whole number from 1 to ${MAX_LIMIT}`);
    }
    filter.limit = value;
  }
  return filter;
}

/** Rejects query parameters other than `allowed`, so a misspelt filter is not silently ignored. */
export function rejectUnknown(query: URLSearchParams, allowed: readonly string[]): void {
  const unknown = [...new Set(query.keys())].filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    const known = allowed.length === 0 ? 'none' : allowed.join(', ');
    throw invalid(`unknown query parameter ${unknown.join(', ')} (known: ${known})`);
  }
}

function invalid(message: string): SelfsnapError {
  return new SelfsnapError('REQUEST_INVALID', message);
}
