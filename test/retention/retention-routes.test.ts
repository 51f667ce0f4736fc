import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestSocket, startTestDaemon, type TestDaemon } from '../socket/test-daemon.js';
import { waitUntil } from '../support/wait.js';

describe('retention routes on the socket', () => {
  let daemon: TestDaemon;

  beforeAll(async () => {
    daemon = await startTestDaemon({
      policies: { nightly: { retention: { keepLast: 2 } } },
    });
    // The daemon lists the instance's disks once at start; the cases check for calls after it.
    const active = daemon;
    await waitUntil(
      async () =>
        active.emulator.control.requests({ action: 'DescribeDisks' }).length > 0 || undefined,
      10_000,
      "the daemon's first disk listing",
    );
    daemon.emulator.control.clearRequests();
  });

  afterAll(async () => {
    await daemon.stop();
  });

  it.each<[string, string, string | undefined, number, string, string]>([
    [
      'POST',
      '/v1/prune',
      '{"dryRun":"yes"}',
      400,
      'REQUEST_INVALID',
      'dryRun must be true or false',
    ],
    ['POST', '/v1/prune', '{"force":true}', 400, 'REQUEST_INVALID', 'unknown field force'],
    ['POST', '/v1/prune', '[]', 400, 'REQUEST_INVALID', 'the body must be a JSON object'],
    ['POST', '/v1/prune?policy=nightly', '{}', 400, 'REQUEST_INVALID', 'policy'],
    ['GET', '/v1/prune', undefined, 405, 'METHOD_NOT_ALLOWED', 'use POST'],
    [
      'POST',
      '/v1/snapshots/s-x/pin',
      '{"reason":5}',
      400,
      'REQUEST_INVALID',
      'reason must be a string',
    ],
    ['PUT', '/v1/snapshots/s-x/pin', '{}', 405, 'METHOD_NOT_ALLOWED', 'use POST or DELETE'],
    ['DELETE', '/v1/snapshots/%E0%A4%A/pin', undefined, 400, 'REQUEST_INVALID', 'percent-encoding'],
  ])('answers %s %s %s with %i', async (method, path, body, status, code, message) => {
    const answer = await requestSocket(daemon.socketPath, method, path, { body });
    const error = (JSON.parse(answer.text) as { error: { code: string; message: string } }).error;

    expect(answer.status).toBe(status);
    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
    expect(daemon.emulator.control.requests()).toEqual([]);
  });
});

describe('retention routes before the instance is identified', () => {
  it('answers 503 NOT_READY', async () => {
    const daemon = await startTestDaemon({
      waitReady: false,
      scenario: { faults: { imdsHang: true } },
    });
    try {
      const answer = await requestSocket(daemon.socketPath, 'POST', '/v1/prune', { body: '{}' });

      expect(answer.status).toBe(503);
      expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'NOT_READY' } });
    } finally {
      await daemon.stop();
    }
  });
});
