import type { IncomingMessage, ServerResponse } from 'node:http';
import { SelfsnapError } from '../errors/index.js';
import { parseRunFilter, rejectUnknown } from './parse-run-filter.js';
import { parseTriggerBody } from './parse-trigger-body.js';
import { readJsonBody } from './read-json-body.js';
import { requireMethod } from './require-method.js';
import { routeRetention } from './retention-routes.js';
import { toRunView } from './run-view.js';
import { DEFAULT_WAIT_TIMEOUT_MS, type SocketApi } from './socket-api.js';
import { streamRun, wantsStream } from './stream-run.js';

/** Largest request body the socket reads; a trigger body is a few hundred bytes. */
export const MAX_BODY_BYTES = 64 * 1024;
const RUN_PATH = /^\/v1\/runs\/([A-Za-z0-9-]{1,100})$/;

/** Writes a JSON response with an exact content length. */
export function sendJson(response: ServerResponse, status: number, payload: unknown): void {
  const text = `${JSON.stringify(payload)}\n`;
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

/** Handles one request on the socket; a SelfsnapError it throws becomes a 4xx or 5xx response. */
export async function routeRequest(
  api: SocketApi,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const method = request.method ?? 'GET';
  const runMatch = RUN_PATH.exec(path);

  if (path === '/v1/status') {
    requireMethod(method, ['GET']);
    rejectUnknown(url.searchParams, []);
    return sendJson(response, 200, await api.status());
  }
  if (path === '/v1/runs') {
    requireMethod(method, ['GET', 'POST']);
    if (method === 'GET') {
      const runs = api.listRuns(parseRunFilter(url.searchParams)).map(toRunView);
      return sendJson(response, 200, { runs });
    }
    return triggerRun(api, request, response, url);
  }
  if (runMatch !== null) {
    requireMethod(method, ['GET']);
    const run = api.getRun(runMatch[1] as string);
    if (run === undefined) throw new SelfsnapError('NOT_FOUND', `no run with id ${runMatch[1]}`);
    return sendJson(response, 200, toRunView(run));
  }
  if (path === '/v1/snapshots') {
    requireMethod(method, ['GET']);
    rejectUnknown(url.searchParams, ['policy']);
    const snapshots = await api.listSnapshots(url.searchParams.get('policy') ?? undefined);
    return sendJson(response, 200, { snapshots });
  }
  if (path === '/metrics') {
    requireMethod(method, ['GET']);
    return sendMetrics(api, response);
  }
  const call = { request, url, path, method, maxBodyBytes: MAX_BODY_BYTES };
  const answer = await routeRetention(api, call);
  if (answer !== undefined) return sendJson(response, answer.status, answer.body);
  throw new SelfsnapError('NOT_FOUND', `no such endpoint: ${method} ${path}`);
}

async function sendMetrics(api: SocketApi, response: ServerResponse): Promise<void> {
  const metrics = await api.renderMetrics();
  response.writeHead(200, {
    'content-type': metrics.contentType,
    'content-length': Buffer.byteLength(metrics.body),
  });
  response.end(metrics.body);
}

async function triggerRun(
  api: SocketApi,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
): Promise<void> {
  rejectUnknown(url.searchParams, ['stream']);
  const body = parseTriggerBody(await readJsonBody(request, MAX_BODY_BYTES));
  const wait = body.wait ?? 'none';
  const timeoutMs = body.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  // A waiting request sends nothing until its response, so its idle limit follows the wait.
  request.setTimeout(timeoutMs + 30_000);

  if (wantsStream(request, url)) return streamRun(api, body, { request, response });
  const run = await api.startRun(body);
  const answer =
    wait === 'none' ? { run, timedOut: false } : await api.waitForRun(run.id, wait, timeoutMs);
  const status = answer.run.status === 'running' ? 202 : 200;
  sendJson(response, status, { run: toRunView(answer.run), timedOut: answer.timedOut });
}
