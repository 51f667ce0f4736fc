import { SelfsnapError } from '../errors/index.js';
import type { PruneRequest } from '../retention/prune-on-request.js';

/** The body of `POST /v1/snapshots/{id}/pin`. */
export interface PinBody {
  reason?: string;
}

/** Validates the JSON body of `POST /v1/prune`, naming the field that is wrong. */
export function parsePruneBody(value: unknown): PruneRequest {
  const body = requireObject(value, ['policy', 'dryRun']);
  if (body.policy !== undefined && (typeof body.policy !== 'string' || body.policy.length > 64)) {
    throw invalid('policy must be a string of at most 64 characters');
  }
  if (body.dryRun !== undefined && typeof body.dryRun !== 'boolean') {
    throw invalid('dryRun must be true or false');
  }
  return { policy: body.policy as string | undefined, dryRun: body.dryRun === true };
}

/** Validates the JSON body of `POST /v1/snapshots/{id}/pin`; the reason's limits are the tag's. */
export function parsePinBody(value: unknown): PinBody {
  const body = requireObject(value, ['reason']);
  if (body.reason !== undefined && typeof body.reason !== 'string') {
    throw invalid('reason must be a string');
  }
  return { reason: body.reason as string | undefined };
}

function requireObject(value: unknown, known: string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('the body must be a JSON object');
  }
  const body = value as Record<string, unknown>;
  const unknown = Object.keys(body).filter((key) => !known.includes(key));
  if (unknown.length > 0) throw invalid(`unknown field ${unknown.join(', ')}`);
  return body;
}

function invalid(message: string): SelfsnapError {
  return new SelfsnapError('REQUEST_INVALID', message);
}
