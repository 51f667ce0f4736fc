import { createConnection } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index.js';
import { StatusServer } from '../../src/socket/index.js';
import { getJson, requestSocket, startTestDaemon, type TestDaemon } from './test-daemon.js';

/** Writes raw bytes to the socket and returns everything the server sends before closing. */
function sendRaw(socketPath: string, data: string, endAfterWrite = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
    socket.write(data);
    if (endAfterWrite) socket.end();
  });
}

function statusLine(raw: string): string {
  return raw.split('\r\n')[0] ?? '';
}

function jsonBodyOf(raw: string): { error: { code: string; message: string } } {
  return JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as {
    error: { code: string; message: string };
  };
}

describe('socket request limits', () => {
  let daemon: TestDaemon;

  beforeAll(async () => {
    daemon = await startTestDaemon();
  });

  afterAll(async () => {
    await daemon.stop();
  });

  it('answers 400 with a JSON error when the request is not HTTP', async () => {
    const raw = await sendRaw(daemon.socketPath, 'HELLO THERE\r\n\r\n');

    expect(statusLine(raw)).toBe('HTTP/1.1 400 Bad Request');
    expect(jsonBodyOf(raw).error.code).toBe('REQUEST_INVALID');
  });

  it('answers 400 when a header line is malformed', async () => {
    const raw = await sendRaw(daemon.socketPath, 'GET /v1/status HTTP/1.1\r\nbad header\r\n\r\n');

    expect(statusLine(raw)).toBe('HTTP/1.1 400 Bad Request');
  });

  it('answers 431 when the headers exceed 16 KiB', async () => {
    const raw = await sendRaw(
      daemon.socketPath,
      `GET /v1/status HTTP/1.1\r\nhost: x\r\nx-filler: ${'a'.repeat(20_000)}\r\n\r\n`,
    );

    expect(statusLine(raw)).toBe('HTTP/1.1 431 Request Header Fields Too Large');
  });

  it('answers 413 when the declared body exceeds 64 KiB', async () => {
    const answer = await requestSocket(daemon.socketPath, 'POST', '/v1/runs', {
      body: JSON.stringify({ reason: 'x'.repeat(70_000) }),
    });
    const body = JSON.parse(answer.text) as { error: { code: string } };

    expect(answer.status).toBe(413);
    expect(body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers 413 when a chunked body grows past 64 KiB', async () => {
    const chunk = 'x'.repeat(40_000);
    const size = chunk.length.toString(16);
    const raw = await sendRaw(
      daemon.socketPath,
      'POST /v1/runs HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n' +
        `${size}\r\n${chunk}\r\n${size}\r\n${chunk}\r\n0\r\n\r\n`,
    );

    expect(statusLine(raw)).toBe('HTTP/1.1 413 Payload Too Large');
    expect(jsonBodyOf(raw).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it.each([
    ['GET', '/v2/status', 404, 'NOT_FOUND'],
    ['GET', '/', 404, 'NOT_FOUND'],
  ])('answers %s %s with %i %s', async (method, path, status, code) => {
    const answer = await requestSocket(daemon.socketPath, method, path);
    const body = JSON.parse(answer.text) as { error: { code: string } };

    expect(answer.status).toBe(status);
    expect(body.error.code).toBe(code);
  });

  it.each([
    ['DELETE', '/v1/status', 'GET'],
    ['PUT', '/v1/runs', 'GET, POST'],
    ['POST', '/metrics', 'GET'],
    ['GET', '/v1/snapshots/s-any/pin', 'POST, DELETE'],
  ])('answers %s %s with 405 and Allow: %s', async (method, path, allow) => {
    const answer = await requestSocket(daemon.socketPath, method, path);
    const body = JSON.parse(answer.text) as { error: { code: string } };

    expect(answer.status).toBe(405);
    expect(body.error.code).toBe('METHOD_NOT_ALLOWED');
    expect(answer.headers.allow).toBe(allow);
  });

  it('serves 200 concurrent clients and keeps answering afterwards', async () => {
    const answers = await Promise.all(
      Array.from({ length: 200 }, () =>
        getJson<{ ready: boolean }>(daemon.socketPath, '/v1/status'),
      ),
    );

    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(200);
    expect(answers.every((answer) => answer.body.ready)).toBe(true);
    const after = await getJson<{ ready: boolean }>(daemon.socketPath, '/v1/status');
    expect(after.status).toBe(200);
  });
});

describe('socket timeouts', () => {
  let daemon: TestDaemon;
  let server: StatusServer;
  let socketPath: string;

  beforeAll(async () => {
    daemon = await startTestDaemon();
    socketPath = join(daemon.folder, 'short-limits.sock');
    server = new StatusServer(
      {
        path: socketPath,
        group: null,
        limits: {
          headersTimeoutMs: 300,
          requestTimeoutMs: 600,
          // Well above the header deadline plus one check interval: with the two close together,
          // a loaded machine could close the idle socket before the 408 goes out.
          idleTimeoutMs: 2000,
          keepAliveTimeoutMs: 300,
          checkIntervalMs: 100,
        },
      },
      daemon.daemon,
      createLogger({ level: 'silent' }),
    );
    await server.listen();
  });

  afterAll(async () => {
    await server.close();
    await daemon.stop();
  });

  it('answers 408 and closes when the headers do not arrive in time', async () => {
    const started = Date.now();
    const raw = await sendRaw(socketPath, 'GET /v1/status HTTP/1.1\r\nhost: x\r\n');

    expect(statusLine(raw)).toBe('HTTP/1.1 408 Request Timeout');
    expect(jsonBodyOf(raw).error.message).toBe('the request did not arrive in time');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('closes a kept-alive connection once it idles', async () => {
    const started = Date.now();
    const raw = await sendRaw(socketPath, 'GET /v1/status HTTP/1.1\r\nhost: x\r\n\r\n');

    expect(statusLine(raw)).toBe('HTTP/1.1 200 OK');
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
