import { request } from 'node:http';
import { SelfsnapError, type ErrorCode } from '../errors/index.js';

/** The default socket path, unless `--socket` or `SELFSNAP_SOCKET` names another. */
export const DEFAULT_SOCKET_PATH = '/run/selfsnap/selfsnap.sock';

/** Sends one JSON request to the daemon's socket and returns the parsed answer. */
export async function callDaemon<T>(
  socketPath: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<T> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const outgoing = request(
      {
        socketPath,
        method,
        path,
        headers: payload === undefined ? {} : { 'content-type': 'application/json' },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('error', (error) => reject(connectionError(socketPath, error)));
    outgoing.end(payload);
  });
  return parseAnswer<T>(answer.status, answer.text, path);
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
