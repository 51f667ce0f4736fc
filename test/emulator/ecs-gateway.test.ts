import { request as httpRequest } from 'node:http';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { startEmulator, type Emulator, type RecordedRequest } from './index.js';
import {
  connectEcsClient,
  createEcsClient,
  EcsSdk,
  fetchRoleCredentials,
  type EcsClient,
} from './sdk-client.js';

interface RawResponse {
  status: number;
  body: {
    Code?: string;
    RequestId?: string;
    HostId?: string;
    Message?: string;
    Recommend?: string;
  };
}

/** Sends a request with exactly the given path and headers, bypassing the SDK. */
function sendRaw(
  endpoint: string,
  path: string,
  headers: Record<string, string>,
): Promise<RawResponse> {
  const [host, port] = endpoint.split(':');
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host, port: Number(port), method: 'POST', path, headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString()),
          }),
        );
      },
    );
    request.on('error', reject);
    request.end();
  });
}

/** Returns the wire path of a recorded call, rebuilt from its decoded parameters. */
function wirePath(record: RecordedRequest): string {
  const query = Object.entries(record.params).map(
    ([name, value]) => `${name}=${encodeURIComponent(value)}`,
  );
  return `/?${query.join('&')}`;
}

const describeRequest = () => new EcsSdk.DescribeDisksRequest({ regionId: 'cn-hangzhou' });

describe('ECS gateway', () => {
  let emulator: Emulator;
  let client: EcsClient;

  beforeEach(async () => {
    emulator = await startEmulator();
    ({ client } = await connectEcsClient(emulator));
  });

  afterEach(async () => {
    await emulator.close();
  });

  it('answers SignatureDoesNotMatch when the request is signed with a wrong secret', async () => {
    const credentials = await fetchRoleCredentials(emulator.imdsUrl);
    const forged = createEcsClient(emulator.ecsEndpoint, {
      ...credentials,
      AccessKeySecret: 'not-the-secret',
    });

    await expect(forged.describeDisks(describeRequest())).rejects.toMatchObject({
      code: 'SignatureDoesNotMatch',
      statusCode: 400,
    });
  });

  it('answers SignatureDoesNotMatch when the signature in the header is altered', async () => {
    await client.describeDisks(describeRequest());
    const [record] = emulator.control.requests();
    const headers = { ...(record as RecordedRequest).headers };
    headers['authorization'] = (headers['authorization'] ?? '').replace(
      /Signature=(.)/,
      (_m, c: string) => `Signature=${c === '0' ? '1' : '0'}`,
    );
    headers['x-acs-signature-nonce'] = 'fresh-nonce-1';

    const response = await sendRaw(
      emulator.ecsEndpoint,
      wirePath(record as RecordedRequest),
      headers,
    );

    expect(response.status).toBe(400);
    expect(response.body.Code).toBe('SignatureDoesNotMatch');
  });

  it('answers SignatureDoesNotMatch when a signed parameter is changed in transit', async () => {
    await client.describeDisks(describeRequest());
    const [record] = emulator.control.requests();

    const response = await sendRaw(
      emulator.ecsEndpoint,
      '/?RegionId=cn-beijing',
      (record as RecordedRequest).headers,
    );

    expect(response.body.Code).toBe('SignatureDoesNotMatch');
  });

  it('answers SignatureNonceUsed when a signed request is replayed', async () => {
    await client.describeDisks(describeRequest());
    const [record] = emulator.control.requests();

    const response = await sendRaw(
      emulator.ecsEndpoint,
      wirePath(record as RecordedRequest),
      (record as RecordedRequest).headers,
    );

    expect(response.status).toBe(400);
    expect(response.body.Code).toBe('SignatureNonceUsed');
  });

  it('answers IncompleteSignature when the authorization header is missing', async () => {
    const response = await sendRaw(emulator.ecsEndpoint, '/?RegionId=cn-hangzhou', {
      'x-acs-action': 'DescribeDisks',
    });

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      Code: 'IncompleteSignature',
      HostId: 'ecs.cn-hangzhou.aliyuncs.com',
    });
    expect(response.body.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(response.body.Recommend).toContain('IncompleteSignature');
  });

  it('answers InvalidSecurityToken.Expired once the STS credentials expire', async () => {
    emulator.control.setCredentialLifetime(60_000, 0);
    const credentials = await fetchRoleCredentials(emulator.imdsUrl);
    const shortLived = createEcsClient(emulator.ecsEndpoint, credentials);
    await shortLived.describeDisks(describeRequest());
    emulator.control.advanceClock(61_000);

    await expect(shortLived.describeDisks(describeRequest())).rejects.toMatchObject({
      code: 'InvalidSecurityToken.Expired',
      statusCode: 400,
    });
  });

  it('keeps an older credential set valid after rotation until its own expiration', async () => {
    emulator.control.setCredentialLifetime(60_000, 30_000);
    const old = await fetchRoleCredentials(emulator.imdsUrl);
    emulator.control.advanceClock(31_000);
    const rotated = await fetchRoleCredentials(emulator.imdsUrl);
    const oldClient = createEcsClient(emulator.ecsEndpoint, old);

    expect(rotated.AccessKeyId).not.toBe(old.AccessKeyId);
    await expect(oldClient.describeDisks(describeRequest())).resolves.toBeDefined();
  });

  it("answers InvalidSecurityToken.MismatchWithAccessKey for another set's token", async () => {
    emulator.control.rotateCredentials();
    const old = await fetchRoleCredentials(emulator.imdsUrl);
    emulator.control.rotateCredentials();
    const rotated = await fetchRoleCredentials(emulator.imdsUrl);
    const mixed = createEcsClient(emulator.ecsEndpoint, {
      ...old,
      SecurityToken: rotated.SecurityToken,
    });

    await expect(mixed.describeDisks(describeRequest())).rejects.toMatchObject({
      code: 'InvalidSecurityToken.MismatchWithAccessKey',
    });
  });

  it('answers InvalidAccessKeyId.NotFound with 404 for a key the emulator never issued', async () => {
    const credentials = await fetchRoleCredentials(emulator.imdsUrl);
    const stranger = createEcsClient(emulator.ecsEndpoint, {
      ...credentials,
      AccessKeyId: 'STS.NOTISSUED',
    });

    await expect(stranger.describeDisks(describeRequest())).rejects.toMatchObject({
      code: 'InvalidAccessKeyId.NotFound',
      statusCode: 404,
    });
  });

  it('answers InvalidTimeStamp.Expired when the clocks differ by more than 15 minutes', async () => {
    emulator.control.setClock({ offsetMs: 16 * 60_000 });

    await expect(client.describeDisks(describeRequest())).rejects.toMatchObject({
      code: 'InvalidTimeStamp.Expired',
      statusCode: 400,
    });
  });

  it('accepts a request when the clocks differ by less than 15 minutes', async () => {
    emulator.control.setClock({ offsetMs: -14 * 60_000 });

    await expect(client.describeDisks(describeRequest())).resolves.toBeDefined();
  });

  it('answers InvalidAction.NotFound with 404 for an action it does not implement', async () => {
    const request = new EcsSdk.DescribeRegionsRequest({});

    await expect(client.describeRegions(request)).rejects.toMatchObject({
      code: 'InvalidAction.NotFound',
      statusCode: 404,
    });
  });
});
