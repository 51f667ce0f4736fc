import { createConnection, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom, seedFromEnv } from '../support/seeded-random.js';
import { requestOverSocket } from '../support/socket-request.js';
import { startWorld, type CaseWorld } from './case-world.js';
import { DaemonUnderTest } from './daemon-under-test.js';
import { checkInvariants } from './invariants.js';
import { printMatrixSummary } from './matrix-summary.js';

const SEED = seedFromEnv(4_040_404);
const PATHS = ['/v1/status', '/v1/runs', '/v1/runs/x', '/v1/snapshots', '/metrics', '/', '/v2/x'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'BREW', 'G E T', ''];

/** Writes `data` to the socket and collects whatever comes back until it closes or times out. */
function exchange(socketPath: string, data: Buffer | string, waitMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection(socketPath);
    let received = '';
    const timer = setTimeout(() => socket.destroy(), waitMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.on('error', () => undefined);
    socket.end(data);
  });
}

/** Builds one malformed or hostile request from the seeded random. */
function hostileRequest(random: SeededRandom): Buffer {
  const choice = random.int(0, 6);
  const path = random.pick(PATHS);
  if (choice === 0) return random.bytes(random.int(1, 2000));
  if (choice === 1)
    return Buffer.from(`${random.pick(METHODS)} ${path} HTTP/1.1\r\nhost: x\r\n\r\n`);
  if (choice === 2) {
    return Buffer.from(
      `GET ${path} HTTP/1.1\r\nx-filler: ${'a'.repeat(random.int(17_000, 40_000))}\r\n\r\n`,
    );
  }
  if (choice === 3) {
    const body = 'x'.repeat(random.int(65_537, 200_000));
    const length = random.chance(0.5) ? `content-length: ${body.length}\r\n` : '';
    return Buffer.from(`POST /v1/runs HTTP/1.1\r\nhost: x\r\n${length}\r\n${body}`);
  }
  if (choice === 4) {
    const body = random.pick([
      '{"policy": 5}',
      '{"wait": "forever"}',
      '{"timeoutMs": -1}',
      `{"reason": "${'r'.repeat(random.int(1, 5000))}", "policy": "nope"}`,
      '[1, 2, 3]',
      '{"policy": {"__proto__": {"x": 1}}}',
      `${'['.repeat(5000)}${']'.repeat(5000)}`,
      random.bytes(random.int(1, 500)).toString('latin1'),
    ]);
    return Buffer.from(
      `POST /v1/runs HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body, 'latin1')}\r\n\r\n${body}`,
      'latin1',
    );
  }
  if (choice === 5) {
    const query = random.bytes(random.int(1, 300)).toString('hex');
    return Buffer.from(`GET ${path}?${query}=%ZZ&limit=-1 HTTP/1.1\r\nhost: x\r\n\r\n`);
  }
  return Buffer.from(`GET /${'a/'.repeat(random.int(1000, 20_000))} HTTP/1.1\r\nhost: x\r\n\r\n`);
}

/** Opens a connection that sends one header byte every second and never finishes. */
function slowClient(socketPath: string): Socket {
  const socket = createConnection(socketPath);
  socket.on('error', () => undefined);
  socket.write('GET /v1/status HTTP/1.1\r\nhost: x\r\n');
  const timer = setInterval(() => socket.write('x'), 1000);
  socket.on('close', () => clearInterval(timer));
  return socket;
}

describe('socket under fuzzed, oversized, slow and concurrent requests', () => {
  printMatrixSummary('input: socket fuzzing');
  let world: CaseWorld;
  let daemon: DaemonUnderTest;
  const answers: string[] = [];
  const probes: { ms: number; ok: boolean }[] = [];
  let probing = true;
  let probeLoop: Promise<void>;

  beforeAll(async () => {
    world = await startWorld();
    daemon = await DaemonUnderTest.prepare(world.emulator, { policies: { manual: {} } });
    await daemon.start();
    // A normal status request every 200 ms for the whole fuzz, timed.
    probeLoop = (async () => {
      while (probing) {
        const started = Date.now();
        const response = await requestOverSocket(daemon.socketPath, 'GET', '/v1/status').catch(
          () => undefined,
        );
        probes.push({ ms: Date.now() - started, ok: response?.status === 200 });
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
  });

  afterAll(async () => {
    probing = false;
    await probeLoop;
    await daemon.remove();
    await world.emulator.close();
  });

  it('answers 300 hostile requests with an HTTP error or a close', async () => {
    const random = new SeededRandom(SEED);
    const requests = Array.from({ length: 300 }, () => hostileRequest(random));
    for (let start = 0; start < requests.length; start += 20) {
      const batch = requests.slice(start, start + 20);
      answers.push(...(await Promise.all(batch.map((data) => exchange(daemon.socketPath, data)))));
    }

    const statuses = answers.map((raw) => /^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 'closed');
    const served = statuses.filter((status) => status.startsWith('2'));
    const unexpected = statuses.filter((status) => status.startsWith('5') && status !== '503');
    expect(unexpected).toEqual([]);
    expect(statuses.filter((status) => status.startsWith('4')).length).toBeGreaterThan(200);
    expect(served.length).toBeLessThan(60);
  }, 120_000);

  it('keeps answering status while 100 slow clients hold connections', async () => {
    const slow = Array.from({ length: 100 }, () => slowClient(daemon.socketPath));
    try {
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const response = await requestOverSocket(daemon.socketPath, 'GET', '/v1/status');

      expect(response.status).toBe(200);
    } finally {
      for (const socket of slow) socket.destroy();
    }
  });

  it('serves 200 concurrent requests', async () => {
    const random = new SeededRandom(SEED + 1);
    const results = await Promise.all(
      Array.from({ length: 200 }, () =>
        requestOverSocket(
          daemon.socketPath,
          'GET',
          random.pick(['/v1/status', '/v1/runs', '/metrics']),
        ),
      ),
    );

    expect(results.map((result) => result.status)).toEqual(results.map(() => 200));
  });

  it('kept a normal status request answering throughout', async () => {
    const failed = probes.filter((probe) => !probe.ok);
    const slowest = Math.max(...probes.map((probe) => probe.ms));

    expect(probes.length).toBeGreaterThan(10);
    expect(failed).toEqual([]);
    expect(slowest).toBeLessThan(2000);
    const violations = await checkInvariants({
      emulator: world.emulator,
      foreign: world.foreign,
      lines: daemon.lines,
      texts: [...answers, ...daemon.responses],
      stateDir: daemon.stateDir,
      socketPath: daemon.socketPath,
    });
    expect(violations).toEqual([]);
  });
});
