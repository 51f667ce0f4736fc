import { describe, expect, it } from 'vitest';

import {
  buildCanonicalQuery,
  buildCanonicalRequest,
  encodeRfc3986,
  parseAuthorization,
  parseWireQuery,
  signCanonicalRequest,
} from './signature.js';

const EMPTY_BODY_HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const VECTOR_HEADERS = {
  host: '127.0.0.1:18081',
  'x-acs-accesskey-id': 'AK',
  'x-acs-action': 'CreateSnapshot',
  'x-acs-content-sha256': EMPTY_BODY_HASH,
  'x-acs-credentials-provider': 'static_sts',
  'x-acs-date': '2026-12-04T15:26:37Z',
  'x-acs-security-token': 'TOK',
  'x-acs-signature-nonce': '778d4c1f20831e10a2daf633c8356723ae5a9a54a5c73b8dbabea8a5f0581827',
  'x-acs-version': '2014-05-26',
};
const VECTOR_CANONICAL_REQUEST = [
  'POST',
  '/',
  'DiskId=d-1',
  ...Object.entries(VECTOR_HEADERS).map(([name, value]) => `${name}:${value}`),
  '',
  Object.keys(VECTOR_HEADERS).join(';'),
  EMPTY_BODY_HASH,
].join('\n');

describe('signature', () => {
  it('signs the published test vector to the published signature', () => {
    const signature = signCanonicalRequest(VECTOR_CANONICAL_REQUEST, 'SK');

    expect(signature).toBe('b74a76f0b43e769c33c04f6a4bdc473ab7b6cf849fbb2629e47c5fb56997eb78');
  });

  it('builds the test vector canonical request from its parts', () => {
    const canonical = buildCanonicalRequest({
      method: 'post',
      query: [['DiskId', 'd-1']],
      headers: { ...VECTOR_HEADERS, 'user-agent': 'not signed' },
      signedHeaders: Object.keys(VECTOR_HEADERS).reverse(),
      payloadHash: EMPTY_BODY_HASH,
    });

    expect(canonical).toBe(VECTOR_CANONICAL_REQUEST);
  });

  it.each([
    ['a b', 'a%20b'],
    ["*()!'~", '%2A%28%29%21%27~'],
    ['+', '%2B'],
    ['-_.', '-_.'],
    ['["s-1"]', '%5B%22s-1%22%5D'],
    ['中', '%E4%B8%AD'],
  ])('encodes %s as %s', (raw, encoded) => {
    expect(encodeRfc3986(raw)).toBe(encoded);
  });

  it('re-encodes the wire query instead of signing it raw', () => {
    const wire = 'SnapshotName=a%20b*()!~%2B%27x&DiskId=d-1&Tag.1.Key=k&Empty=';

    const canonical = buildCanonicalQuery(parseWireQuery(wire));

    expect(canonical).toBe('DiskId=d-1&Empty=&SnapshotName=a%20b%2A%28%29%21~%2B%27x&Tag.1.Key=k');
  });

  it('parses an authorization header into its parts', () => {
    const header = 'ACS3-HMAC-SHA256 Credential=STS.AK,SignedHeaders=host;x-acs-date,Signature=abc';

    expect(parseAuthorization(header)).toEqual({
      algorithm: 'ACS3-HMAC-SHA256',
      accessKeyId: 'STS.AK',
      signedHeaders: ['host', 'x-acs-date'],
      signature: 'abc',
    });
  });

  it.each([
    ['missing', undefined],
    ['without SignedHeaders', 'ACS3-HMAC-SHA256 Credential=AK,Signature=abc'],
    ['without Signature', 'ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host'],
    ['without algorithm', 'Credential=AK,SignedHeaders=host,Signature=abc'],
  ])('rejects an authorization header when %s', (_case, header) => {
    expect(parseAuthorization(header)).toBeUndefined();
  });
});
