import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

import type { ActionContext, ActionDefinition } from './actions/index.js';
import { ApiError, buildErrorBody } from './api-error.js';
import type { EmulatorCore } from './core.js';
import { headerRecord, readBody } from './http-listener.js';
import { newRequestId } from './ids.js';
import { baseParameterName, RequestParams } from './params.js';
import type { RecordedRequest } from './request-log.js';
import { parseWireQuery } from './signature.js';
import { validateClientToken } from './validation.js';

/** Path prefix of the control endpoint on the ECS listener, which needs no signature. */
export const CONTROL_PREFIX = '/_emulator/';

type ControlHandler = (request: IncomingMessage, response: ServerResponse, body: Buffer) => void;

/** Creates the request handler of the ECS listener: control routes, then the RPC API. */
export function createEcsHandler(core: EmulatorCore, handleControl: ControlHandler) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    readBody(request)
      .then((body) => {
        if ((request.url ?? '').startsWith(CONTROL_PREFIX)) handleControl(request, response, body);
        else return handleApiCall(core, request, response, body);
      })
      .catch((error: unknown) => {
        // Only reading the body or a control route can fail here. API errors get their response above.
        process.stderr.write(
          `emulator: ${request.method} ${request.url} failed: ${String(error)}\n`,
        );
        if (!response.headersSent) response.writeHead(500).end(String(error));
      });
  };
}

async function handleApiCall(
  core: EmulatorCore,
  request: IncomingMessage,
  response: ServerResponse,
  body: Buffer,
): Promise<void> {
  const requestId = newRequestId();
  const headers = headerRecord(request);
  const [path = '/', rawQuery = ''] = (request.url ?? '/').split('?', 2);
  const record = core.log.addEcs({
    requestId,
    receivedAt: new Date(core.clock.now()).toISOString(),
    method: request.method ?? '',
    action: headers['x-acs-action'] ?? '',
    params: {},
    headers,
    httpStatus: 0,
    dropped: false,
  });

  try {
    const query = parseQuery(rawQuery);
    record.params = new RequestParams(query).toObject();
    const result = await runAction(
      core,
      { path, method: request.method ?? '', query, headers, body },
      record,
    );
    if (result === undefined) {
      // The change is committed, and the client sees the connection close without a response.
      record.dropped = true;
      request.socket.destroy();
      return;
    }
    send(response, record, 200, { RequestId: requestId, ...result });
  } catch (error) {
    const apiError = error instanceof ApiError ? error : internalError(error, record);
    record.errorCode = apiError.code;
    const hostId = `ecs.${core.state.instance.regionId}.aliyuncs.com`;
    send(response, record, apiError.httpStatus, buildErrorBody(apiError, requestId, hostId));
  }
}

/** Turns an emulator bug into the API's 500 `InternalError` and prints it, since no test expects it. */
function internalError(error: unknown, record: RecordedRequest): ApiError {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`emulator: ${record.action} ${record.requestId} failed: ${message}\n`);
  return new ApiError(500, 'InternalError', 'The emulator failed to process the request.');
}

interface ApiCall {
  path: string;
  method: string;
  query: Array<[string, string]>;
  headers: Record<string, string>;
  body: Buffer;
}

/** Runs the gateway checks, the faults and the action. Returns undefined to drop the response. */
async function runAction(
  core: EmulatorCore,
  call: ApiCall,
  record: RecordedRequest,
): Promise<Record<string, unknown> | undefined> {
  core.gateway.verify({
    method: call.method,
    query: call.query,
    headers: call.headers,
    body: call.body,
  });
  const action = record.action;
  const definition = core.actions.get(action);
  if (call.path !== '/' || definition === undefined) {
    throw new ApiError(
      404,
      'InvalidAction.NotFound',
      `The action "${action}" is not found in version 2014-05-26.`,
    );
  }
  const allowed = core.state.settings.allowedActions;
  if (allowed !== undefined && !allowed.includes(action)) {
    throw new ApiError(
      403,
      'Forbidden.RAM',
      `The RAM role "${core.state.instance.roleName}" is not authorized to call ${action}.`,
    );
  }
  core.flowControl.admit(action, core.clock.now());

  const params = new RequestParams(call.query);
  params.rejectUnknown(definition.parameters);
  const fault = core.faults.takeError(action, diskIdsNamed(params), Object.keys(params.toObject()));
  if (fault !== undefined) {
    throw new ApiError(
      fault.httpStatus,
      fault.code,
      fault.message ?? `The emulator injected ${fault.code} into ${action}.`,
    );
  }

  const result = await runIdempotent(core, definition, params);
  return core.faults.takeDrop(action) ? undefined : result;
}

async function runIdempotent(
  core: EmulatorCore,
  definition: ActionDefinition,
  params: RequestParams,
): Promise<Record<string, unknown>> {
  const token = definition.idempotent === true ? params.get('ClientToken') : undefined;
  if (token !== undefined) {
    validateClientToken(token);
    const claim = core.clientTokens.begin(
      definition.name,
      token,
      JSON.stringify(params.toObject()),
    );
    if (claim.kind === 'replay') {
      await delay(core.faults.takeLatency(definition.name));
      return claim.body;
    }
  }

  try {
    // The latency sits between accepting and committing, so a retry can meet a running first call.
    await delay(core.faults.takeLatency(definition.name));
    const context: ActionContext = {
      params,
      state: core.state,
      faults: core.faults,
      now: core.clock.now(),
    };
    const result = definition.handle(context);
    if (token !== undefined) core.clientTokens.complete(definition.name, token, result);
    return result;
  } catch (error) {
    if (token !== undefined) core.clientTokens.abandon(definition.name, token);
    throw error;
  }
}

function parseQuery(rawQuery: string): Array<[string, string]> {
  try {
    return parseWireQuery(rawQuery);
  } catch {
    throw new ApiError(
      400,
      'InvalidParameter',
      'The query string contains malformed percent-encoding.',
    );
  }
}

/** Returns the disk ids a call names (DiskId, DiskId.N, ExcludeDiskId.N), for disk-scoped faults. */
function diskIdsNamed(params: RequestParams): string[] {
  return Object.entries(params.toObject())
    .filter(([name]) => ['DiskId', 'ExcludeDiskId'].includes(baseParameterName(name)))
    .map(([, value]) => value);
}

async function delay(ms: number): Promise<void> {
  if (ms > 0) await sleep(ms, undefined, { ref: false });
}

function send(
  response: ServerResponse,
  record: RecordedRequest,
  status: number,
  body: object,
): void {
  record.httpStatus = status;
  response.writeHead(status, {
    'content-type': 'application/json;charset=utf-8',
    'x-acs-request-id': record.requestId,
  });
  response.end(JSON.stringify(body));
}
