import { randomBytes, randomUUID } from 'node:crypto';

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Returns `length` random lowercase letters and digits, the alphabet of ECS resource ids. */
export function randomIdSuffix(length: number): string {
  const bytes = randomBytes(length);
  let suffix = '';
  for (const byte of bytes) suffix += ID_ALPHABET[byte % ID_ALPHABET.length];
  return suffix;
}

/** Returns a new resource id such as `s-bp1...`: the prefix, the region marker and 17 characters. */
export function newResourceId(prefix: string): string {
  return `${prefix}-bp1${randomIdSuffix(17)}`;
}

/** Returns a request id in the upper-case UUID form the ECS API uses. */
export function newRequestId(): string {
  return randomUUID().toUpperCase();
}

/** Formats epoch milliseconds as the API's `yyyy-MM-ddTHH:mm:ssZ` (UTC, no fraction). */
export function formatApiTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Formats epoch milliseconds as `yyyy-MM-ddTHH:mmZ`, the form of the creation-time filters. */
export function formatApiMinute(ms: number): string {
  return new Date(ms).toISOString().replace(/:\d{2}\.\d{3}Z$/, 'Z');
}
