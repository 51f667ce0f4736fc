import { request, type IncomingMessage } from 'node:http';
import { SelfsnapError, type ErrorCode } from '../errors/index.js';

/** The default socket path, unless `--socket` or `SELFSNAP_SOCKET` names another. */
export const DEFAULT_SOCKET_PATH = '/run/selfsnap/selfsnap.sock';
// A status call answers in milliseconds; a daemon silent for this long is treated as hung.
const DEFAULT_CALL_TIMEOUT_MS = 15_000;

/** How one call to the daemon is made. */
export interface CallOptions {
  body?: unknown;
  /** Longest silence from the daemon before the call fails with TIMEOUT. */
  timeoutMs?: number;
}

/** Sends one JSON request to the daemon's socket and returns the parsed answer. */
export async function callDaemon<T>(
  socketPath: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  options: CallOptions = {},
): Promise<T> {
  const response = await openRequest(socketPath, method, path, options, 'application/json');
  const text = await readAll(response);
  return parseAnswer<T>(response.statusCode ?? 0, text, path);
}

/** Sends a request that answers with NDJSON and calls `onEvent` for every line until the end. */
export async function streamDaemon(
  socketPath: string,
  path: string,
  options: CallOptions,
  onEvent: (event: unknown) => void,
): Promise<void> {
  const response = await openRequest(socketPath, 'POST', path, options, 'application/x-ndjson');
  if ((response.statusCode ?? 0) >= 400) {
    parseAnswer(response.statusCode ?? 0, await readAll(response), path);
  }
  let partial = '';
  for await (const chunk of response.setEncoding('utf8') as AsyncIterable<string>) {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') onEvent(parseLine(line, path));
  }
  if (partial.trim() !== '') onEvent(parseLine(partial, path));
}

function openRequest(
  socketPath: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  options: CallOptions,
  accept: string,
): Promise<IncomingMessage> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const timeoutMs = options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const outgoing = request({ socketPath, method, path, headers }, resolve);
    outgoing.setTimeout(timeoutMs, () => {
      const message = `the selfsnap daemon at ${socketPath} did not answer ${path} within ${timeoutMs} ms`;
      outgoing.destroy(new SelfsnapError('TIMEOUT', message));
    });
    outgoing.on('error', (error) => reject(connectionError(socketPath, error)));
    outgoing.end(payload);
  });
}

async function readAll(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function parseLine(line: string, path: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new SelfsnapError('INTERNAL', `daemon sent a line that is not JSON on ${path}`);
  }
}

function parseAnswer<T>(status: number, text: string, path: string): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SelfsnapError(
      'INTERNAL',
      `daemon sent a non-JSON answer to ${path} (HTTP ${status})`,
    );
  }
  if (status >= 400) {
    const error = (parsed as { error?: { code?: ErrorCode; message?: string } }).error;
    throw new SelfsnapError(error?.code ?? 'INTERNAL', error?.message ?? `HTTP ${status}`);
  }
  return parsed as T;
}

function connectionError(socketPath: string, error: NodeJS.ErrnoException): SelfsnapError {
  if (error instanceof SelfsnapError) return error;
  if (error.code === 'EACCES' || error.code === 'EPERM') {
    return new SelfsnapError(
      'SOCKET_PERMISSION_DENIED',
      `permission denied on ${socketPath}: run as root or as a member of the selfsnap group`,
      { cause: error },
    );
  }
  return new SelfsnapError(
    'DAEMON_UNREACHABLE',
    `cannot reach the selfsnap daemon at ${socketPath} (${error.code ?? error.message}): is selfsnap.service running?`,
    { cause: error },
  );
}
