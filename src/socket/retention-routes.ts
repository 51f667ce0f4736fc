import type { IncomingMessage } from 'node:http';
import { SelfsnapError } from '../errors/index.js';
import { parsePinBody, parsePruneBody } from './parse-retention-body.js';
import { rejectUnknown } from './parse-run-filter.js';
import { readJsonBody } from './read-json-body.js';
import { requireMethod } from './require-method.js';
import type { SocketApi } from './socket-api.js';
import { toSnapshotView } from './snapshot-view.js';

/** A JSON response for the router to send. */
export interface JsonAnswer {
  status: number;
  body: unknown;
}

/** One request as the router has read it. */
export interface RouteCall {
  request: IncomingMessage;
  url: URL;
  path: string;
  method: string;
  maxBodyBytes: number;
}

// Any id is matched, so that pinSnapshot can name what is wrong with a malformed one.
const PIN_PATH = /^\/v1\/snapshots\/([^/]{1,200})\/pin$/;
// A prune deletes at most a few snapshots at a time, and hundreds of them take minutes.
const PRUNE_IDLE_TIMEOUT_MS = 30 * 60_000;

/**
 * Serves `POST /v1/prune`, `POST /v1/snapshots/{id}/pin` and `DELETE /v1/snapshots/{id}/pin`;
 * returns undefined for any other path.
 */
export async function routeRetention(
  api: SocketApi,
  call: RouteCall,
): Promise<JsonAnswer | undefined> {
  if (call.path === '/v1/prune') {
    requireMethod(call.method, ['POST']);
    rejectUnknown(call.url.searchParams, []);
    const request = parsePruneBody(await readJsonBody(call.request, call.maxBodyBytes));
    // The response comes once every deletion is done, so the connection may stay silent that long.
    call.request.setTimeout(PRUNE_IDLE_TIMEOUT_MS);
    return { status: 200, body: await api.retention().prune(request) };
  }

  const pinMatch = PIN_PATH.exec(call.path);
  if (pinMatch === null) return undefined;
  const snapshotId = decodePathPart(pinMatch[1] as string);
  requireMethod(call.method, ['POST', 'DELETE']);
  rejectUnknown(call.url.searchParams, []);
  if (call.method === 'DELETE') {
    return {
      status: 200,
      body: { snapshot: toSnapshotView(await api.retention().unpin(snapshotId)) },
    };
  }
  const { reason } = parsePinBody(await readJsonBody(call.request, call.maxBodyBytes));
  const pinned = await api.retention().pin(snapshotId, reason);
  return { status: 200, body: { snapshot: toSnapshotView(pinned) } };
}

function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new SelfsnapError('REQUEST_INVALID', `invalid percent-encoding in "${part}"`);
  }
}
