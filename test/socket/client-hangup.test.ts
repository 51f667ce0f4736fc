import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, startTestDaemon, type TestDaemon } from './test-daemon.js';

describe('socket server when a client hangs up', () => {
  let daemon: TestDaemon;

  beforeAll(async () => {
    daemon = await startTestDaemon({ logLevel: 'debug' });
  });

  afterAll(async () => {
    await daemon.stop();
  });

  it('logs at debug, not error, when the body never arrives in full', async () => {
    const socket = createConnection(daemon.socketPath);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      'POST /v1/runs HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\n' +
        'content-length: 10\r\n\r\n{"a"',
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 300));

    const records = daemon.logLines.map(
      (line) => JSON.parse(line) as { level: number; msg: string },
    );
    expect(records.filter((record) => record.level >= 50)).toEqual([]);
    expect(records.map((record) => record.msg)).toContain('client left before the answer');
    const { status } = await getJson(daemon.socketPath, '/v1/status');
    expect(status).toBe(200);
  });
});
