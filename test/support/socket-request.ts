import { request } from 'node:http';

/** One HTTP exchange over a unix socket, with the raw text of the response body. */
export interface SocketResponse {
  status: number;
  text: string;
}

/** Sends one HTTP request over a unix socket and reads the whole response. */
export function requestOverSocket(
  socketPath: string,
  method: string,
  path: string,
  options: { body?: unknown; timeoutMs?: number } = {},
): Promise<SocketResponse> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const headers = payload === undefined ? {} : { 'content-type': 'application/json' };
    const outgoing = request({ socketPath, method, path, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      response.on('error', reject);
    });
    outgoing.setTimeout(options.timeoutMs ?? 10_000, () => {
      outgoing.destroy(new Error(`${method} ${path} got no response within the timeout`));
    });
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}
