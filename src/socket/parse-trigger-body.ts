import { SelfsnapError } from '../errors/index.js';
import type { TriggerBody } from './socket-api.js';

const WAIT_MODES = ['none', 'accepted', 'available', 'accomplished'];
const TRIGGERS = ['manual', 'hook'];
// A waiting request may hold its connection for at most a day.
const MAX_TIMEOUT_MS = 86_400_000;
const REASON_MAX = 256;

/** Validates the JSON body of `POST /v1/runs`, naming the field that is wrong. */
export function parseTriggerBody(value: unknown): TriggerBody {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('the body must be a JSON object');
  }
  const body = value as Record<string, unknown>;
  const known = new Set(['policy', 'reason', 'trigger', 'wait', 'timeoutMs']);
  const unknown = Object.keys(body).filter((key) => !known.has(key));
  if (unknown.length > 0) throw invalid(`unknown field ${unknown.join(', ')}`);

  optionalString(body, 'policy', 64);
  optionalString(body, 'reason', REASON_MAX);
  oneOf(body, 'trigger', TRIGGERS);
  oneOf(body, 'wait', WAIT_MODES);
  const timeout = body.timeoutMs;
  if (
    timeout !== undefined &&
    (!Number.isInteger(timeout) || (timeout as number) < 0 || (timeout as number) > MAX_TIMEOUT_MS)
  ) {
    throw invalid(`timeoutMs must be a whole number of milliseconds from 0 to ${MAX_TIMEOUT_MS}`);
  }
  return body as TriggerBody;
}

function optionalString(body: Record<string, unknown>, key: string, max: number) {
  const value = body[key];
  if (value === undefined) return;
  if (typeof value !== 'string' || value.length > max) {
    throw invalid(`${key} must be a string of at most ${max} characters`);
  }
}

function oneOf(body: Record<string, unknown>, key: string, allowed: string[]) {
  const value = body[key];
  if (value !== undefined && !allowed.includes(value as string)) {
    throw invalid(`${key} must be one of ${allowed.join(', ')}`);
  }
}

function invalid(message: string): SelfsnapError {
  return new SelfsnapError('REQUEST_INVALID', message);
}
