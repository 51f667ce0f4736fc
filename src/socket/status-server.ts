import { chmod, chown, rm } from 'node:fs/promises';
import { createServer, STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { SelfsnapError, toSelfsnapError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { lookupGroupId, prepareSocketPath, socketInUse } from './prepare-socket-path.js';
import { routeRequest, sendJson } from './route-request.js';
import type { SocketApi } from './socket-api.js';
import { acquireSocketLock, type SocketLock } from './socket-lock.js';
import { MethodNotAllowedError } from './require-method.js';

/** Socket path, owning group and limits. */
export interface StatusServerOptions {
  path: string;
  /** Group given read-write access (mode 0660); null keeps the daemon's own group. */
  group: string | null;
  /** Overrides of the default limits, for tests that cannot wait for the real ones. */
  limits?: Partial<SocketLimits>;
}

/** Bounds on what clients may cost the daemon. */
export interface SocketLimits {
  maxConnections: number;
  maxHeaderBytes: number;
  /** Time a client has to send the request headers. */
  headersTimeoutMs: number;
  /** Time a client has to send the whole request. */
  requestTimeoutMs: number;
  /** A connection with no traffic for this long is closed; waiting requests raise their own. */
  idleTimeoutMs: number;
  /** A kept-alive connection waits this long for its next request. */
  keepAliveTimeoutMs: number;
  /** How often Node checks open connections against the header and request timeouts. */
  checkIntervalMs: number;
}

// Status calls are tiny and local, so these are generous for people and scripts and still cap a
// misbehaving client.
const DEFAULT_LIMITS: SocketLimits = {
  maxConnections: 256,
  maxHeaderBytes: 16 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  checkIntervalMs: 5_000,
};

const STATUS_BY_CODE: Record<string, number> = {
  REQUEST_INVALID: 400,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  NOT_READY: 503,
  ECS_REQUEST_FAILED: 502,
  ECS_THROTTLED: 502,
  ECS_AUTH_FAILED: 502,
  ECS_FORBIDDEN: 502,
  CREDENTIALS_UNAVAILABLE: 502,
  METADATA_UNAVAILABLE: 502,
};

/** Serves the `/v1/...` JSON API and `/metrics` over HTTP/1.1 on a unix socket. */
export class StatusServer {
  private server?: Server;
  private lock?: SocketLock;

  constructor(
    private readonly options: StatusServerOptions,
    private readonly api: SocketApi,
    private readonly logger: Logger,
  ) {}

  /** Creates the socket, replacing a stale one; fails if another daemon still serves it. */
  async listen(): Promise<void> {
    const lock = await acquireSocketLock(this.options.path);
    if (lock === undefined) throw socketInUse(this.options.path);
    try {
      await this.listenLocked();
    } catch (error) {
      await lock.release();
      throw error;
    }
    this.lock = lock;
  }

  private async listenLocked(): Promise<void> {
    await prepareSocketPath(this.options.path);
    const limits = { ...DEFAULT_LIMITS, ...this.options.limits };
    const settings = {
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: limits.checkIntervalMs,
    };
    const server = createServer(settings, (request, response) => {
      void this.handle(request, response);
    });
    server.maxConnections = limits.maxConnections;
    server.timeout = limits.idleTimeoutMs;
    server.keepAliveTimeout = limits.keepAliveTimeoutMs;
    server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
      answerClientError(error, socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.path, () => resolve());
    });
    this.server = server;
    await chmod(this.options.path, 0o660);
    await this.applyGroup();
  }

  /** Stops accepting connections, ends open ones and removes the socket file. */
  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await rm(this.options.path, { force: true });
    await this.lock?.release();
    this.lock = undefined;
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
      await routeRequest(this.api, request, response);
    } catch (error) {
      // A client that hangs up or stops sending mid-request is the client's problem, not a fault
      // of the daemon: it is logged at debug, and there is nobody left to answer.
      if (request.readableAborted && !(error instanceof SelfsnapError)) {
        this.logger.debug({ err: error, path: request.url }, 'client left before the answer');
        response.destroy();
        return;
      }
      const wrapped = toSelfsnapError(error);
      const status = STATUS_BY_CODE[wrapped.code] ?? 500;
      if (status >= 500) {
        this.logger.error({ err: wrapped, path: request.url }, 'socket request failed');
      }
      if (response.headersSent) {
        response.destroy();
        return;
      }
      // After a rejected body the rest of it is still unread, so the connection cannot be reused.
      if (status === 413) response.setHeader('connection', 'close');
      if (error instanceof MethodNotAllowedError) {
        response.setHeader('allow', error.allowed.join(', '));
      }
      sendJson(response, status, { error: wrapped.toJSON() });
    }
  }
}

/** Sends a JSON error for a request the HTTP parser rejected, then closes the connection. */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  let status = 400;
  let message = `malformed HTTP request (${error.code ?? 'parse error'})`;
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    status = 431;
    message = 'the request headers are too large';
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = 408;
    message = 'the request did not arrive in time';
  }
  const body = `${JSON.stringify({ error: { code: 'REQUEST_INVALID', message, retryable: false } })}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'content-type: application/json\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      'connection: close\r\n\r\n' +
      body,
  );
}
