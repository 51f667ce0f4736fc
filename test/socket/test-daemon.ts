import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { parseConfig } from '../../src/config/index.js';
import { Daemon } from '../../src/daemon.js';
import { createLogger } from '../../src/log/index.js';
import { startEmulator, type Emulator, type Scenario } from '../emulator/index.js';
import { waitUntil } from '../support/wait.js';

/** What a test may change in the daemon's config and the emulator's scenario. */
export interface TestDaemonOptions {
  policies?: Record<string, unknown>;
  triggers?: Record<string, unknown>;
  scenario?: Scenario;
  logLevel?: 'debug' | 'info';
  /** Wait until the daemon has identified the instance; default true. */
  waitReady?: boolean;
  /** Group of the socket file; default null (the daemon's own group). */
  socketGroup?: string | null;
  /** Runs before the daemon starts, e.g. to leave a stale socket behind. */
  beforeStart?: (socketPath: string) => Promise<void>;
}

/** The emulator in-process on loopback and a daemon whose metadata endpoint points at it. */
export interface TestDaemon {
  daemon: Daemon;
  emulator: Emulator;
  folder: string;
  socketPath: string;
  configPath: string;
  configText: string;
  /** Every log line the daemon wrote, as emitted. */
  logLines: string[];
  stop(): Promise<void>;
}

/** Builds the config text of a daemon that uses `emulator` and keeps its files in `folder`. */
export function buildConfigText(emulator: Emulator, folder: string, options: TestDaemonOptions) {
  return stringify({
    metadata: { endpoint: emulator.imdsUrl },
    ecs: { endpoint: emulator.ecsEndpoint, protocol: 'http' },
    socket: { path: join(folder, 'selfsnap.sock'), group: options.socketGroup ?? null },
    stateDir: join(folder, 'state'),
    log: { level: options.logLevel ?? 'info' },
    policies: options.policies ?? { manual: { disks: 'all' } },
    ...(options.triggers === undefined ? {} : { triggers: options.triggers }),
  });
}

/** Starts the emulator and a daemon on a socket in a fresh temporary folder. */
export async function startTestDaemon(options: TestDaemonOptions = {}): Promise<TestDaemon> {
  const emulator = await startEmulator({ scenario: options.scenario ?? {} });
  const folder = await mkdtemp(join(tmpdir(), 'selfsnap-socket-'));
  const configText = buildConfigText(emulator, folder, options);
  const config = parseConfig(configText, 'test config');
  const logLines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((line) => line !== ''),
      );
      done();
    },
  });
  const logger = createLogger({ level: config.log.level, destination });
  const daemon = new Daemon(config, logger);
  const socketPath = config.socket.path;
  const stop = async () => {
    await daemon.stop();
    await emulator.close();
    await rm(folder, { recursive: true, force: true });
  };
  try {
    await options.beforeStart?.(socketPath);
    await daemon.start();
    if (options.waitReady !== false) {
      await waitUntil(
        async () =>
          (await getJson<{ ready: boolean }>(socketPath, '/v1/status')).body.ready
            ? true
            : undefined,
        10_000,
        'the daemon to identify the instance',
        50,
      );
    }
  } catch (error) {
    // A daemon that failed to start leaves no emulator, socket or folder behind.
    await stop();
    throw error;
  }
  return {
    daemon,
    emulator,
    folder,
    socketPath,
    configPath: join(folder, 'config.yaml'),
    configText,
    logLines,
    stop,
  };
}

/** One HTTP exchange over the unix socket, with the raw text of the answer. */
export interface SocketAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Sends one HTTP request over a unix socket. */
export function requestSocket(
  socketPath: string,
  method: string,
  path: string,
  options: { body?: string; headers?: Record<string, string> } = {},
): Promise<SocketAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ socketPath, method, path, headers: options.headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

/** Sends a GET and parses the JSON answer. */
export async function getJson<T>(
  socketPath: string,
  path: string,
): Promise<{ status: number; body: T }> {
  const answer = await requestSocket(socketPath, 'GET', path);
  return { status: answer.status, body: JSON.parse(answer.text) as T };
}

/** Sends a POST with a JSON body and parses the JSON answer. */
export async function postJson<T>(
  socketPath: string,
  path: string,
  body: unknown,
): Promise<{ status: number; body: T }> {
  const answer = await requestSocket(socketPath, 'POST', path, {
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  return { status: answer.status, body: JSON.parse(answer.text) as T };
}
