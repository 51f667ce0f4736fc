import type { IncomingMessage, ServerResponse } from 'node:http';
import { toSelfsnapError } from '../errors/index.js';
import type { RunRecord } from '../snapshot/index.js';
import { toRunView } from './run-view.js';
import { DEFAULT_WAIT_TIMEOUT_MS, type SocketApi, type TriggerBody } from './socket-api.js';

/** Media type of the progress stream: one JSON event per line. */
export const NDJSON = 'application/x-ndjson';
// A line at least this often keeps the connection from looking idle to the client and the server.
const HEARTBEAT_MS = 15_000;

/** One line of the progress stream; `result` (or `error`) is always the last. */
export type RunEvent =
  | { type: 'run'; run: ReturnType<typeof toRunView> }
  | { type: 'heartbeat'; at: string }
  | { type: 'result'; run: ReturnType<typeof toRunView>; timedOut: boolean }
  | { type: 'error'; error: Record<string, unknown> };

/** Tells whether a `POST /v1/runs` asks for the NDJSON stream (`?stream=1` or its Accept type). */
export function wantsStream(request: IncomingMessage, url: URL): boolean {
  const stream = url.searchParams.get('stream');
  if (stream === '1' || stream === 'true') return true;
  return (request.headers.accept ?? '').includes(NDJSON);
}

/**
 * Starts (or joins) a run and streams its states as NDJSON until it reaches the wait mode or the
 * timeout passes; the run goes on in the daemon if the client goes away.
 */
export async function streamRun(
  api: SocketApi,
  body: TriggerBody,
  exchange: { request: IncomingMessage; response: ServerResponse },
): Promise<void> {
  const { request, response } = exchange;
  const started = await api.startRun(body);
  response.writeHead(200, { 'content-type': NDJSON, 'cache-control': 'no-store' });
  const write = (event: RunEvent) => {
    if (!response.destroyed) response.write(`${JSON.stringify(event)}\n`);
  };

  const stopWatching = api.watchRun(started.id, (run: RunRecord) => {
    write({ type: 'run', run: toRunView(run) });
  });
  const heartbeat = setInterval(() => {
    write({ type: 'heartbeat', at: new Date().toISOString() });
  }, HEARTBEAT_MS);
  request.socket.once('close', stopWatching);
  try {
    write({ type: 'run', run: toRunView(api.getRun(started.id) ?? started) });
    const wait = body.wait ?? 'none';
    const answer =
      wait === 'none'
        ? { run: api.getRun(started.id) ?? started, timedOut: false }
        : await api.waitForRun(started.id, wait, body.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS);
    write({ type: 'result', run: toRunView(answer.run), timedOut: answer.timedOut });
  } catch (error) {
    write({ type: 'error', error: toSelfsnapError(error).toJSON() });
  } finally {
    clearInterval(heartbeat);
    stopWatching();
    request.socket.off('close', stopWatching);
    response.end();
  }
}
