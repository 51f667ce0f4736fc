import { createHash, createHmac } from 'node:crypto';

/** The only algorithm the emulator accepts in the `authorization` header. */
export const SIGNATURE_ALGORITHM = 'ACS3-HMAC-SHA256';

/** The parts of an `authorization: ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..` header. */
export interface AuthorizationHeader {
  algorithm: string;
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

/** Everything the V3 canonical request is built from. */
export interface CanonicalRequestInput {
  method: string;
  /** Query parameters, already percent-decoded, in any order. */
  query: ReadonlyArray<readonly [string, string]>;
  /** Request headers with lower-case names. */
  headers: Readonly<Record<string, string>>;
  signedHeaders: readonly string[];
  /** Hex SHA-256 of the request body. */
  payloadHash: string;
}

/** Percent-encodes per RFC 3986: only `A-Za-z0-9-_.~` stay literal, so `!'()*` are encoded too. */
export function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Returns the hex SHA-256 of a body. */
export function hashPayload(body: Buffer | string): string {
  return createHash('sha256').update(body).digest('hex');
}

/**
 * Splits a raw query string into decoded name/value pairs. A `+` stays a plus sign because the SDK
 * sends a literal plus as `%2B` and never uses `+` for a space.
 */
export function parseWireQuery(rawQuery: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const name = equals < 0 ? part : part.slice(0, equals);
    const value = equals < 0 ? '' : part.slice(equals + 1);
    pairs.push([decodeURIComponent(name), decodeURIComponent(value)]);
  }
  return pairs;
}

/** Builds the canonical query: sorted by name (code point order), re-encoded, joined with `&`. */
export function buildCanonicalQuery(query: ReadonlyArray<readonly [string, string]>): string {
  const encoded = query.map(([name, value]) => [encodeRfc3986(name), encodeRfc3986(value)]);
  encoded.sort(([a = ''], [b = '']) => compareCodePoints(a, b));
  return encoded.map(([name, value]) => `${name}=${value}`).join('&');
}

function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** Builds the V3 canonical request. The path of an RPC call is always `/`. */
export function buildCanonicalRequest(input: CanonicalRequestInput): string {
  const names = [...input.signedHeaders].sort();
  const canonicalHeaders = names
    .map((name) => `${name}:${(input.headers[name] ?? '').trim()}\n`)
    .join('');

  return [
    input.method.toUpperCase(),
    '/',
    buildCanonicalQuery(input.query),
    canonicalHeaders,
    names.join(';'),
    input.payloadHash,
  ].join('\n');
}

/** Builds the string to sign from a canonical request. */
export function buildStringToSign(canonicalRequest: string): string {
  return `${SIGNATURE_ALGORITHM}\n${hashPayload(canonicalRequest)}`;
}

/** Computes the hex HMAC-SHA256 signature of a canonical request with the access key secret. */
export function signCanonicalRequest(canonicalRequest: string, accessKeySecret: string): string {
  return createHmac('sha256', accessKeySecret)
    .update(buildStringToSign(canonicalRequest))
    .digest('hex');
}

/** Parses an `authorization` header, returning undefined when any part is missing or malformed. */
export function parseAuthorization(header: string | undefined): AuthorizationHeader | undefined {
  if (header === undefined) return undefined;
  const match = /^(\S+) (.+)$/.exec(header.trim());
  if (match === null) return undefined;

  const fields = new Map<string, string>();
  for (const part of (match[2] ?? '').split(',')) {
    const equals = part.indexOf('=');
    if (equals > 0) fields.set(part.slice(0, equals).trim(), part.slice(equals + 1).trim());
  }
  const accessKeyId = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKeyId || !signedHeaders || !signature) return undefined;

  return {
    algorithm: match[1] ?? '',
    accessKeyId,
    signedHeaders: signedHeaders.split(';').map((name) => name.trim().toLowerCase()),
    signature,
  };
}
