import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { startEmulator, type Emulator } from './index.js';
import { connectEcsClient, createEcsClient, EcsSdk, type EcsClient } from './sdk-client.js';

const DATA_DISK = 'd-bp1selfsnap0dat00001';

describe('emulator control', () => {
  let emulator: Emulator;
  let client: EcsClient;

  beforeEach(async () => {
    emulator = await startEmulator();
    ({ client } = await connectEcsClient(emulator));
  });

  afterEach(async () => {
    await emulator.close();
  });

  const createSnapshot = (clientToken?: string) =>
    client.createSnapshot(new EcsSdk.CreateSnapshotRequest({ diskId: DATA_DISK, clientToken }));

  async function callControl(method: string, path: string, body?: unknown) {
    const response = await fetch(`http://${emulator.ecsEndpoint}/_emulator/${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('fails the next N calls of an action with the injected error', async () => {
    emulator.control.injectError({
      action: 'CreateSnapshot',
      code: 'InternalError',
      httpStatus: 500,
      count: 2,
    });

    await expect(createSnapshot()).rejects.toMatchObject({
      code: 'InternalError',
      statusCode: 500,
    });
    await expect(createSnapshot()).rejects.toMatchObject({
      code: 'InternalError',
      statusCode: 500,
    });
    await expect(createSnapshot()).resolves.toBeDefined();
  });

  it('fails only calls naming the disk of a disk-scoped fault', async () => {
    emulator.control.injectError({
      action: 'CreateSnapshot',
      code: 'IncorrectDiskStatus',
      httpStatus: 403,
      count: 1,
      diskId: 'd-bp1selfsnap0dat00002',
    });

    await expect(createSnapshot()).resolves.toBeDefined();
    const other = new EcsSdk.CreateSnapshotRequest({ diskId: 'd-bp1selfsnap0dat00002' });
    await expect(client.createSnapshot(other)).rejects.toMatchObject({
      code: 'IncorrectDiskStatus',
    });
  });

  it('returns the committed id after a dropped response', async () => {
    emulator.control.dropResponses({ action: 'CreateSnapshot', count: 1 });

    await expect(createSnapshot('run-1-d1')).rejects.toThrow();
    const retried = await createSnapshot('run-1-d1');

    expect(emulator.control.snapshots().map((snapshot) => snapshot.snapshotId)).toEqual([
      retried.body?.snapshotId,
    ]);
    expect(
      emulator.control.requests({ action: 'CreateSnapshot' }).map((record) => record.dropped),
    ).toEqual([true, false]);
  });

  it('answers IdempotentProcessing while the first call with the token is still running', async () => {
    emulator.control.injectLatency({ action: 'CreateSnapshot', latencyMs: 400, count: 1 });

    const first = createSnapshot('run-2-d1');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(createSnapshot('run-2-d1')).rejects.toMatchObject({
      code: 'IdempotentProcessing',
      statusCode: 403,
    });
    await expect(first).resolves.toBeDefined();
  });

  it('delays calls by the injected latency', async () => {
    emulator.control.injectLatency({ action: 'DescribeDisks', latencyMs: 300 });
    const started = Date.now();

    await client.describeDisks(new EcsSdk.DescribeDisksRequest({ regionId: 'cn-hangzhou' }));

    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('clears every fault on reset', async () => {
    emulator.control.injectError({
      action: '*',
      code: 'ServiceUnavailable',
      httpStatus: 503,
      count: 5,
    });
    emulator.control.setImdsHang(true);

    emulator.control.resetFaults();

    expect(emulator.control.faults()).toEqual({
      errors: [],
      latencies: [],
      drops: [],
      snapshotFailures: [],
      imdsHang: false,
    });
    await expect(createSnapshot()).resolves.toBeDefined();
  });

  it('fails only calls carrying the named parameter when the fault has one', async () => {
    await callControl('POST', 'faults/errors', {
      action: 'DescribeDisks',
      code: 'InvalidParameter',
      httpStatus: 400,
      parameter: 'InstanceId',
    });
    const request = (instanceId?: string) =>
      client.describeDisks(
        new EcsSdk.DescribeDisksRequest({ regionId: 'cn-hangzhou', instanceId }),
      );
    const instanceId = emulator.instance.instanceId;

    await expect(request()).resolves.toBeDefined();
    await expect(request(instanceId)).rejects.toMatchObject({ code: 'InvalidParameter' });
    await expect(request(instanceId)).resolves.toBeDefined();
  });

  it('injects a fault and lists requests through the HTTP control endpoint', async () => {
    const injected = await callControl('POST', 'faults/errors', {
      action: 'DescribeDisks',
      code: 'Throttling.User',
      httpStatus: 400,
    });
    const throttled = client.describeDisks(
      new EcsSdk.DescribeDisksRequest({ regionId: 'cn-hangzhou' }),
    );
    await expect(throttled).rejects.toMatchObject({
      code: 'Throttling.User',
      name: 'ThrottlingError',
    });
    const log = await callControl('GET', 'requests?action=DescribeDisks');

    expect(injected.status).toBe(200);
    const requests = log.body['requests'] as Array<{
      errorCode: string;
      headers: Record<string, string>;
    }>;
    expect(requests.map((request) => request.errorCode)).toEqual(['Throttling.User']);
    expect(requests[0]?.headers['x-acs-security-token']).toBe('<redacted>');
  });

  it('sets the snapshot duration and advances the clock through the HTTP control endpoint', async () => {
    await callControl('PATCH', 'settings', { snapshotDurationMs: 10_000 });
    await createSnapshot();
    await callControl('POST', 'clock/advance', { ms: 10_000 });
    const listed = await callControl('GET', 'snapshots');

    expect(listed.body['snapshots']).toMatchObject([
      { status: 'accomplished', percent: 100, durationMs: 10_000 },
    ]);
  });

  it('rejects an invalid control request with 400 and names the field', async () => {
    const response = await callControl('POST', 'faults/errors', {
      action: 'CreateSnapshot',
      code: 'X',
      httpStatus: 200,
    });

    expect(response.status).toBe(400);
    expect(String(response.body['error'])).toContain('httpStatus');
  });

  it('answers 404 for an unknown control route', async () => {
    expect((await callControl('GET', 'nothing-here')).status).toBe(404);
  });
});

describe('emulator request log', () => {
  it('keeps only the newest records beyond its limit', async () => {
    const emulator = await startEmulator({ scenario: { settings: { requestLogLimit: 10 } } });
    try {
      const { client } = await connectEcsClient(emulator);
      const request = new EcsSdk.DescribeDisksRequest({ regionId: 'cn-hangzhou' });
      for (let call = 0; call < 12; call += 1) await client.describeDisks(request);

      const requests = emulator.control.requests();

      expect(requests).toHaveLength(10);
      const sequences = requests.map((record) => record.sequence);
      const newest = emulator.control.imdsRequests().length + 12;
      expect(sequences).toEqual(Array.from({ length: 10 }, (_, index) => newest - 9 + index));
    } finally {
      await emulator.close();
    }
  });
});

describe('emulator isolation', () => {
  it('shares no state between two emulators in one process', async () => {
    const first = await startEmulator();
    const second = await startEmulator();
    try {
      const { client } = await connectEcsClient(first);
      await client.createSnapshot(new EcsSdk.CreateSnapshotRequest({ diskId: DATA_DISK }));
      first.control.injectError({ action: '*', code: 'InternalError', httpStatus: 500, count: 1 });

      expect(first.control.snapshots()).toHaveLength(1);
      expect(second.control.snapshots()).toHaveLength(0);
      expect(second.control.requests()).toHaveLength(0);
      expect(second.control.faults().errors).toEqual([]);
      const strangerClient = (await connectEcsClient(second)).client;
      expect(second.ecsEndpoint).not.toBe(first.ecsEndpoint);
      await expect(
        strangerClient.describeDisks(new EcsSdk.DescribeDisksRequest({ regionId: 'cn-hangzhou' })),
      ).resolves.toBeDefined();
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('rejects credentials issued by another emulator', async () => {
    const first = await startEmulator();
    const second = await startEmulator();
    try {
      const { credentials } = await connectEcsClient(first);
      const crossed = createEcsClient(second.ecsEndpoint, credentials);

      await expect(
        crossed.describeDisks(new EcsSdk.DescribeDisksRequest({ regionId: 'cn-hangzhou' })),
      ).rejects.toMatchObject({
        code: 'InvalidAccessKeyId.NotFound',
      });
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});
