import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { startEmulator, type Emulator } from './index.js';
import { fetchMetadataToken, type RoleCredentialsDocument } from './sdk-client.js';

const TOKEN_HEADER = 'X-aliyun-ecs-metadata-token';
const TTL_HEADER = 'X-aliyun-ecs-metadata-token-ttl-seconds';

describe('metadata service', () => {
  let emulator: Emulator;
  let token: string;

  beforeEach(async () => {
    emulator = await startEmulator();
    token = await fetchMetadataToken(emulator.imdsUrl);
  });

  afterEach(async () => {
    await emulator.close();
  });

  async function get(path: string, headers: Record<string, string> = { [TOKEN_HEADER]: token }) {
    const response = await fetch(`${emulator.imdsUrl}${path}`, { headers });
    return { status: response.status, body: await response.text() };
  }

  it.each([
    ['instance-id', 'i-bp1selfsnap0emu0001'],
    ['region-id', 'cn-hangzhou'],
    ['zone-id', 'cn-hangzhou-k'],
    ['hostname', 'iZbp1selfsnap0emu0001Z'],
    ['instance/instance-type', 'ecs.g7.large'],
    ['owner-account-id', '1234567890123456'],
    ['ram/security-credentials/', 'SelfsnapRole'],
    ['disks/bp1selfsnap0dat00001/id', 'd-bp1selfsnap0dat00001'],
  ])('returns %s with a valid token', async (path, expected) => {
    const latest = await get(`/latest/meta-data/${path}`);
    const dated = await get(`/2016-01-01/meta-data/${path}`);

    expect(latest).toEqual({ status: 200, body: expected });
    expect(dated).toEqual({ status: 200, body: expected });
  });

  it('lists disk serial numbers as subfolders matching DescribeDisks', async () => {
    const listing = await get('/latest/meta-data/disks/');

    expect(listing.status).toBe(200);
    expect(listing.body.split('\n')).toEqual([
      'bp1selfsnap0sys00001/',
      'bp1selfsnap0dat00001/',
      'bp1selfsnap0dat00002/',
    ]);
    expect(emulator.control.disks().map((disk) => `${disk.serialNumber}/`)).toEqual(
      listing.body.split('\n'),
    );
  });

  it('returns an STS credential document issued by the emulator', async () => {
    const response = await get('/latest/meta-data/ram/security-credentials/SelfsnapRole');
    const document = JSON.parse(response.body) as RoleCredentialsDocument;

    expect(response.status).toBe(200);
    expect(document.Code).toBe('Success');
    expect(document.AccessKeyId).toMatch(/^STS\.[A-Z0-9]{24}$/);
    expect(document.AccessKeySecret.length).toBeGreaterThan(20);
    expect(document.SecurityToken.length).toBeGreaterThan(20);
    expect(document.Expiration).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(document.LastUpdated).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const lifetime = Date.parse(document.Expiration) - Date.parse(document.LastUpdated);
    expect(lifetime).toBe(6 * 3_600_000);
  });

  it('rotates credentials once less than the margin remains', async () => {
    emulator.control.setCredentialLifetime(3_600_000, 600_000);
    const path = '/latest/meta-data/ram/security-credentials/SelfsnapRole';
    await get(path);
    const first = JSON.parse((await get(path)).body) as RoleCredentialsDocument;
    emulator.control.advanceClock(49 * 60_000);
    const beforeMargin = JSON.parse((await get(path)).body) as RoleCredentialsDocument;
    emulator.control.advanceClock(2 * 60_000);
    const afterMargin = JSON.parse((await get(path)).body) as RoleCredentialsDocument;

    expect(beforeMargin.AccessKeyId).toBe(first.AccessKeyId);
    expect(afterMargin.AccessKeyId).not.toBe(first.AccessKeyId);
    expect(Date.parse(afterMargin.Expiration)).toBeGreaterThan(Date.parse(first.Expiration));
  });

  it('answers 403 when no token is sent and tokens are required', async () => {
    expect((await get('/latest/meta-data/instance-id', {})).status).toBe(403);
  });

  it('answers 401 when the token is unknown', async () => {
    expect((await get('/latest/meta-data/instance-id', { [TOKEN_HEADER]: 'bogus' })).status).toBe(
      401,
    );
  });

  it('answers 401 when the token has expired', async () => {
    const shortToken = await fetchMetadataToken(emulator.imdsUrl, 5);
    emulator.control.advanceClock(6_000);

    expect(
      (await get('/latest/meta-data/instance-id', { [TOKEN_HEADER]: shortToken })).status,
    ).toBe(401);
  });

  it('answers 404 for an unknown path', async () => {
    expect((await get('/latest/meta-data/no-such-thing')).status).toBe(404);
  });

  it.each([['0'], ['21601'], ['abc'], ['']])(
    'rejects a token TTL of "%s" with 400',
    async (ttl) => {
      const response = await fetch(`${emulator.imdsUrl}/latest/api/token`, {
        method: 'PUT',
        headers: { [TTL_HEADER]: ttl },
      });

      expect(response.status).toBe(400);
    },
  );

  it('rejects a token request carrying X-Forwarded-For with 403', async () => {
    const response = await fetch(`${emulator.imdsUrl}/latest/api/token`, {
      method: 'PUT',
      headers: { [TTL_HEADER]: '60', 'X-Forwarded-For': '10.0.0.1' },
    });

    expect(response.status).toBe(403);
  });

  it('records each metadata request', async () => {
    await get('/latest/meta-data/region-id');

    const paths = emulator.control
      .imdsRequests()
      .map((request) => [request.method, request.path, request.httpStatus]);
    expect(paths).toEqual([
      ['PUT', '/latest/api/token', 200],
      ['GET', '/latest/meta-data/region-id', 200],
    ]);
  });
});

describe('metadata service in optional token mode', () => {
  it('answers a GET without a token when HttpTokens is optional', async () => {
    const emulator = await startEmulator({ scenario: { instance: { httpTokens: 'optional' } } });
    try {
      const response = await fetch(`${emulator.imdsUrl}/latest/meta-data/instance-id`);

      expect(response.status).toBe(200);
      expect(await response.text()).toBe(emulator.instance.instanceId);
    } finally {
      await emulator.close();
    }
  });
});

describe('metadata service hang mode', () => {
  it('accepts the connection but never answers while hanging', async () => {
    const emulator = await startEmulator();
    try {
      emulator.control.setImdsHang(true);
      const request = fetch(`${emulator.imdsUrl}/latest/api/token`, {
        method: 'PUT',
        headers: { [TTL_HEADER]: '60' },
        signal: AbortSignal.timeout(300),
      });

      await expect(request).rejects.toMatchObject({ name: 'TimeoutError' });
      expect(emulator.control.imdsRequests()).toHaveLength(1);
    } finally {
      await emulator.close();
    }
  });
});
