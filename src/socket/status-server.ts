import { chmod, chown, mkdir, readFile, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import { SelfsnapError, toSelfsnapError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { parseTriggerBody } from './parse-trigger-body.js';
import type { SocketApi } from './socket-api.js';

/** Where and as whom the socket is created. */
export interface StatusServerOptions {
  path: string;
  /** Group given read-write access (mode 0660); null keeps the daemon's own group. */
  group: string | null;
}

// Bounds on what one client may cost the daemon.
const MAX_BODY_BYTES = 64 * 1024;
const MAX_CONNECTIONS = 64;
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;

const STATUS_BY_CODE: Record<string, number> = {
  REQUEST_INVALID: 400,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  NOT_READY: 503,
};

/** Serves the `/v1/...` JSON API over HTTP/1.1 on a unix socket. */
export class StatusServer {
  private server?: Server;

  constructor(
    private readonly options: StatusServerOptions,
    private readonly api: SocketApi,
    private readonly logger: Logger,
  ) {}

  /** Creates the socket, replacing a stale one; fails if another daemon still serves it. */
  async listen(): Promise<void> {
    await prepareSocketPath(this.options.path);
    const server = createServer((request, response) => void this.handle(request, response));
    server.maxConnections = MAX_CONNECTIONS;
    server.headersTimeout = HEADERS_TIMEOUT_MS;
    server.requestTimeout = REQUEST_TIMEOUT_MS;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.path, () => resolve());
    });
    this.server = server;
    await chmod(this.options.path, 0o660);
    await this.applyGroup();
  }

  /** Stops accepting connections and removes the socket file. */
  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await rm(this.options.path, { force: true });
  }

  private async applyGroup(): Promise<void> {
    const group = this.options.group;
    if (group === null) return;
    const gid = await lookupGroupId(group);
    if (gid === undefined) {
      this.logger.warn(
        { group, socket: this.options.path },
        'socket group does not exist; only root can use the socket',
      );
      return;
    }
    await chown(this.options.path, process.getuid?.() ?? 0, gid);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const body = await route(this.api, request, url);
      send(response, body.status, body.payload);
    } catch (error) {
      const wrapped = toSelfsnapError(error);
      const status = STATUS_BY_CODE[wrapped.code] ?? 500;
      if (status === 500)
        this.logger.error({ err: wrapped, path: request.url }, 'socket request failed');
      send(response, status, { error: wrapped.toJSON() });
    }
  }
}

async function route(api: SocketApi, request: IncomingMessage, url: URL) {
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const method = request.method ?? 'GET';
  const runMatch = /^\/v1\/runs\/([A-Za-z0-9-]{1,100})$/.exec(path);

  if (path === '/v1/status') {
    requireMethod(method, 'GET');
    return { status: 200, payload: api.status() };
  }
  if (path === '/v1/runs' && method === 'POST') {
    const body = parseTriggerBody(await readJson(request));
    const answer = await api.triggerRun(body);
    return { status: answer.run.status === 'running' ? 202 : 200, payload: answer };
  }
  if (path === '/v1/runs') {
    requireMethod(method, 'GET');
    const limit = Math.min(500, Math.max(1, Number(url.searchParams.get('limit') ?? 50) || 50));
    return { status: 200, payload: { runs: api.listRuns(limit) } };
  }
  if (runMatch !== null) {
    requireMethod(method, 'GET');
    const run = api.getRun(runMatch[1] as string);
    if (run === undefined) throw new SelfsnapError('NOT_FOUND', `no run with id ${runMatch[1]}`);
    return { status: 200, payload: run };
  }
  throw new SelfsnapError('NOT_FOUND', `no such endpoint: ${method} ${path}`);
}

function requireMethod(actual: string, expected: string) {
  if (actual !== expected) {
    throw new SelfsnapError(
      'METHOD_NOT_ALLOWED',
      `method ${actual} is not allowed here; use ${expected}`,
    );
  }
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw new SelfsnapError(
        'PAYLOAD_TOO_LARGE',
        `request body is larger than ${MAX_BODY_BYTES} bytes`,
      );
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new SelfsnapError('REQUEST_INVALID', 'request body is not valid JSON');
  }
}

function send(response: ServerResponse, status: number, payload: unknown) {
  const text = `${JSON.stringify(payload)}\n`;
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

async function prepareSocketPath(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o755 });
  const alive = await new Promise<boolean>((resolve) => {
    const probe = createConnection(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive) {
    throw new SelfsnapError(
      'SOCKET_IN_USE',
      `another selfsnap daemon is serving ${path}; stop it first`,
    );
  }
  await rm(path, { force: true });
}

async function lookupGroupId(name: string): Promise<number | undefined> {
  const groups = await readFile('/etc/group', 'utf8').catch(() => '');
  for (const line of groups.split('\n')) {
    const [groupName, , gid] = line.split(':');
    if (groupName === name && gid !== undefined) return Number(gid);
  }
  return undefined;
}
