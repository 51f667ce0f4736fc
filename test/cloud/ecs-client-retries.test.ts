import { afterEach, describe, expect, it } from 'vitest';
import { SelfsnapError } from '../../src/errors/index.js';
import { EngineHarness, followEmulatorClock } from '../engine/engine-harness.js';

const DISK = 'd-bp1selfsnap0dat00001';
const TOKEN = 'token-for-retry-tests-0001';

async function failureOf(promise: Promise<unknown>): Promise<SelfsnapError> {
  try {
    await promise;
  } catch (error) {
    return error as SelfsnapError;
  }
  throw new Error('expected the call to fail');
}

describe('EcsClient retries', () => {
  let harness: EngineHarness | undefined;

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  function createInput(clientToken = TOKEN) {
    return {
      diskId: DISK,
      snapshotName: 'selfsnap-test-20261204T000000Z',
      clientToken,
      tags: { 'selfsnap:run': 'retry-test' },
    };
  }

  function snapshotsOfDisk(active: EngineHarness) {
    return active.emulator.control.snapshots().filter((snapshot) => snapshot.sourceDiskId === DISK);
  }

  it.each([
    { code: 'InternalError', httpStatus: 500 },
    { code: 'ServiceUnavailable', httpStatus: 503 },
    { code: 'Operation.Conflict', httpStatus: 403 },
  ])('retries with the same ClientToken when CreateSnapshot fails with $code', async (fault) => {
    harness = await EngineHarness.start();
    harness.emulator.control.injectError({ action: 'CreateSnapshot', count: 2, ...fault });

    const snapshotId = await harness.ecs.createSnapshot(createInput());

    const requests = harness.emulator.control.requests({ action: 'CreateSnapshot' });
    expect(requests.map((request) => request.errorCode)).toEqual([
      fault.code,
      fault.code,
      undefined,
    ]);
    expect(requests.map((request) => request.params.ClientToken)).toEqual([TOKEN, TOKEN, TOKEN]);
    expect(snapshotsOfDisk(harness).map((snapshot) => snapshot.snapshotId)).toEqual([snapshotId]);
  });

  it('returns the committed snapshot when the first response was lost', async () => {
    harness = await EngineHarness.start();
    harness.emulator.control.dropResponses({ action: 'CreateSnapshot', count: 1 });

    const snapshotId = await harness.ecs.createSnapshot(createInput());

    const requests = harness.emulator.control.requests({ action: 'CreateSnapshot' });
    expect(requests.map((request) => request.dropped)).toEqual([true, false]);
    expect(requests.map((request) => request.params.ClientToken)).toEqual([TOKEN, TOKEN]);
    expect(snapshotsOfDisk(harness).map((snapshot) => snapshot.snapshotId)).toEqual([snapshotId]);
  });

  it('waits out IdempotentProcessing when the first call is still running', async () => {
    // The first call outlives the client's 400 ms timeout; its retries meet it still running.
    harness = await EngineHarness.start({ ecsTimeoutMs: 400 });
    harness.emulator.control.injectLatency({ action: 'CreateSnapshot', latencyMs: 1200, count: 1 });

    const snapshotId = await harness.ecs.createSnapshot(createInput());

    const codes = harness.emulator.control
      .requests({ action: 'CreateSnapshot' })
      .map((request) => request.errorCode);
    expect(codes).toContain('IdempotentProcessing');
    expect(codes.at(-1)).toBeUndefined();
    expect(snapshotsOfDisk(harness).map((snapshot) => snapshot.snapshotId)).toEqual([snapshotId]);
  });

  it('waits for the next flow-control minute when the API throttles', async () => {
    // At 60x an emulated minute lasts one real second.
    harness = await EngineHarness.start({
      scenario: { clock: { speed: 60 }, settings: { flowControlPerMinute: { DescribeDisks: 1 } } },
      clock: followEmulatorClock,
    });

    await harness.ecs.describeInstanceDisks(harness.identity.instanceId);
    await harness.ecs.describeInstanceDisks(harness.identity.instanceId);

    const requests = harness.emulator.control.requests({ action: 'DescribeDisks' });
    expect(requests.map((request) => request.errorCode)).toEqual([
      undefined,
      'Throttling.User',
      undefined,
    ]);
    const minuteOf = (index: number) =>
      Math.floor(Date.parse(requests[index]?.receivedAt ?? '') / 60_000);
    expect(minuteOf(2)).toBeGreaterThan(minuteOf(1));
    const [retry] = harness.logs.find('ecs call failed; retrying');
    expect(retry).toMatchObject({ level: 40, action: 'DescribeDisks', retryKind: 'throttled' });
    expect(retry?.retryInMs).toBeLessThanOrEqual(60_000 + 15_000);
  });

  it('fails with ECS_THROTTLED when every window throttles', async () => {
    harness = await EngineHarness.start({
      scenario: { clock: { speed: 60 }, settings: { flowControlPerMinute: { DescribeDisks: 0 } } },
      clock: followEmulatorClock,
      retry: { throttledRetries: 2 },
    });

    const error = await failureOf(harness.ecs.describeInstanceDisks(harness.identity.instanceId));

    expect(error).toBeInstanceOf(SelfsnapError);
    expect(error).toMatchObject({ code: 'ECS_THROTTLED', ecsCode: 'Throttling.User' });
    expect(harness.emulator.control.requests({ action: 'DescribeDisks' })).toHaveLength(3);
  });

  it.each([
    { ecsCode: 'Forbidden.RAM', httpStatus: 403, code: 'ECS_FORBIDDEN' },
    { ecsCode: 'IncorrectDiskStatus', httpStatus: 403, code: 'DISK_STATE_INVALID' },
    {
      ecsCode: 'IncorrectDiskStatus.CreatingSnapshot',
      httpStatus: 403,
      code: 'DISK_STATE_INVALID',
    },
    { ecsCode: 'InvalidDiskId.NotFound', httpStatus: 404, code: 'DISK_NOT_FOUND' },
    { ecsCode: 'QuotaExceed.Snapshot', httpStatus: 403, code: 'SNAPSHOT_QUOTA_EXCEEDED' },
    { ecsCode: 'IdempotentParameterMismatch', httpStatus: 403, code: 'ECS_REQUEST_FAILED' },
  ])('fails at once with $code when CreateSnapshot answers $ecsCode', async (fault) => {
    harness = await EngineHarness.start();
    harness.emulator.control.injectError({
      action: 'CreateSnapshot',
      code: fault.ecsCode,
      httpStatus: fault.httpStatus,
      count: 1,
    });

    const error = await failureOf(harness.ecs.createSnapshot(createInput()));

    expect(error).toMatchObject({ code: fault.code, ecsCode: fault.ecsCode, retryable: false });
    expect(error.requestId).toMatch(/\S/);
    expect(harness.emulator.control.requests({ action: 'CreateSnapshot' })).toHaveLength(1);
  });

  it('refreshes the credentials once and retries when the token has expired', async () => {
    harness = await EngineHarness.start();
    const credentialReads = () =>
      harness?.emulator.control
        .imdsRequests()
        .filter((request) => request.path.includes('ram/security-credentials/SelfsnapRole'))
        .length ?? 0;
    await harness.ecs.describeInstanceDisks(harness.identity.instanceId);
    const readsBefore = credentialReads();
    harness.emulator.control.injectError({
      action: 'DescribeDisks',
      code: 'InvalidSecurityToken.Expired',
      httpStatus: 400,
      count: 1,
    });

    await harness.ecs.describeInstanceDisks(harness.identity.instanceId);

    const codes = harness.emulator.control
      .requests({ action: 'DescribeDisks' })
      .map((r) => r.errorCode);
    expect(codes).toEqual([undefined, 'InvalidSecurityToken.Expired', undefined]);
    expect(credentialReads()).toBe(readsBefore + 1);
  });

  it('fails with ECS_AUTH_FAILED when the refreshed token is rejected too', async () => {
    harness = await EngineHarness.start();
    harness.emulator.control.injectError({
      action: 'DescribeDisks',
      code: 'InvalidSecurityToken.Expired',
      httpStatus: 400,
      count: 2,
    });

    const error = await failureOf(harness.ecs.describeInstanceDisks(harness.identity.instanceId));

    expect(error).toMatchObject({
      code: 'ECS_AUTH_FAILED',
      ecsCode: 'InvalidSecurityToken.Expired',
    });
    expect(harness.emulator.control.requests({ action: 'DescribeDisks' })).toHaveLength(2);
  });

  it('stops retrying when the call is aborted during a backoff', async () => {
    harness = await EngineHarness.start({ retry: { baseDelayMs: 5000, maxDelayMs: 5000 } });
    harness.emulator.control.injectError({
      action: 'CreateSnapshot',
      code: 'InternalError',
      httpStatus: 500,
      count: 5,
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);

    const error = await failureOf(
      harness.ecs.createSnapshot(createInput(), { signal: controller.signal }),
    );

    expect(error.message).toBe('CreateSnapshot not retried: the daemon is stopping');
    expect(error.retryable).toBe(true);
    expect(harness.emulator.control.requests({ action: 'CreateSnapshot' })).toHaveLength(1);
  });
});
