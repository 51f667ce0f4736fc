import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { EmulatedClock } from './clock.js';
import type { FaultPlan } from './faults.js';
import { headerRecord } from './http-listener.js';
import { formatApiTime } from './ids.js';
import type { RequestLog } from './request-log.js';
import type { EmulatorState } from './state.js';
import type { CredentialIssuer } from './sts.js';

const TOKEN_PATH = '/latest/api/token';
const TTL_HEADER = 'x-aliyun-ecs-metadata-token-ttl-seconds';
const TOKEN_HEADER = 'x-aliyun-ecs-metadata-token';
const METADATA_PREFIXES = ['/latest/meta-data/', '/2016-01-01/meta-data/'];
/** Token lifetime bounds of the hardened mode, in seconds. */
const MAX_TOKEN_TTL_SECONDS = 21_600;

/** What the metadata handler reads and writes. */
export interface ImdsDependencies {
  state: EmulatorState;
  clock: EmulatedClock;
  issuer: CredentialIssuer;
  faults: FaultPlan;
  log: RequestLog;
}

interface Reply {
  status: number;
  body: string;
}

/** Creates the request handler of the emulated instance metadata service (hardened mode). */
export function createImdsHandler(deps: ImdsDependencies) {
  const tokens = new Map<string, number>();

  return (request: IncomingMessage, response: ServerResponse): void => {
    const record = deps.log.addImds({
      receivedAt: new Date(deps.clock.now()).toISOString(),
      method: request.method ?? '',
      path: request.url ?? '',
      headers: headerRecord(request),
      httpStatus: 0,
    });
    // Hang mode accepts the connection and never responds. close() destroys the socket.
    if (deps.faults.imdsHang) return;

    const reply = routeImds(request, deps, tokens);
    record.httpStatus = reply.status;
    response.writeHead(reply.status, { 'content-type': 'text/plain' });
    response.end(reply.body);
  };
}

function routeImds(
  request: IncomingMessage,
  deps: ImdsDependencies,
  tokens: Map<string, number>,
): Reply {
  const path = (request.url ?? '/').split('?')[0] ?? '/';
  if (request.method === 'PUT' && path === TOKEN_PATH) return issueToken(request, deps, tokens);
  if (request.method !== 'GET') return { status: 405, body: 'method not allowed' };

  const prefix = METADATA_PREFIXES.find((candidate) => path.startsWith(candidate));
  if (prefix === undefined) return { status: 404, body: 'not found' };

  const denied = checkToken(request, deps, tokens);
  if (denied !== undefined) return denied;
  return readMetadata(path.slice(prefix.length), deps);
}

function issueToken(
  request: IncomingMessage,
  deps: ImdsDependencies,
  tokens: Map<string, number>,
): Reply {
  // The service refuses token requests that came through a proxy.
  if (request.headers['x-forwarded-for'] !== undefined) return { status: 403, body: 'forbidden' };

  const raw = request.headers[TTL_HEADER];
  const ttl = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(ttl >= 1 && ttl <= MAX_TOKEN_TTL_SECONDS)) {
    return {
      status: 400,
      body: `${TTL_HEADER} must be an integer from 1 to ${MAX_TOKEN_TTL_SECONDS}`,
    };
  }

  const token = randomBytes(42).toString('base64url');
  tokens.set(token, deps.clock.now() + ttl * 1000);
  return { status: 200, body: token };
}

function checkToken(
  request: IncomingMessage,
  deps: ImdsDependencies,
  tokens: Map<string, number>,
): Reply | undefined {
  const token = request.headers[TOKEN_HEADER];
  if (token === undefined) {
    if (deps.state.instance.httpTokens === 'required') return { status: 403, body: 'forbidden' };
    return undefined;
  }

  const expiresAt = typeof token === 'string' ? tokens.get(token) : undefined;
  if (expiresAt === undefined || expiresAt <= deps.clock.now()) {
    return { status: 401, body: 'unauthorized' };
  }
  return undefined;
}

function readMetadata(subpath: string, deps: ImdsDependencies): Reply {
  const { instance } = deps.state;
  const disks = deps.state.listDisks().filter((disk) => disk.instanceId === instance.instanceId);
  const credentialsPath = `ram/security-credentials/${instance.roleName}`;

  const listings: Record<string, string[]> = {
    '': [
      'disks/',
      'hostname',
      'instance/',
      'instance-id',
      'owner-account-id',
      'ram/',
      'region-id',
      'zone-id',
    ],
    'instance/': ['instance-type'],
    'ram/': ['security-credentials/'],
    'ram/security-credentials/': [instance.roleName],
    'disks/': disks.map((disk) => `${disk.serialNumber}/`),
  };
  const values: Record<string, string> = {
    'instance-id': instance.instanceId,
    'region-id': instance.regionId,
    'zone-id': instance.zoneId,
    hostname: instance.hostname,
    'instance/instance-type': instance.instanceType,
    'owner-account-id': instance.ownerAccountId,
  };
  for (const disk of disks) {
    listings[`disks/${disk.serialNumber}/`] = ['id'];
    values[`disks/${disk.serialNumber}/id`] = disk.diskId;
  }

  const listing = listings[subpath];
  if (listing !== undefined) return { status: 200, body: listing.join('\n') };
  const value = values[subpath];
  if (value !== undefined) return { status: 200, body: value };
  if (subpath === credentialsPath) return credentialsDocument(deps);
  return { status: 404, body: 'not found' };
}

function credentialsDocument(deps: ImdsDependencies): Reply {
  const issued = deps.issuer.current(deps.state.instance.roleName);
  const document = {
    AccessKeyId: issued.accessKeyId,
    AccessKeySecret: issued.accessKeySecret,
    SecurityToken: issued.securityToken,
    Expiration: formatApiTime(issued.expiresAtMs),
    LastUpdated: formatApiTime(issued.issuedAtMs),
    Code: 'Success',
  };
  // The real service serves this JSON document as text/plain as well.
  return { status: 200, body: JSON.stringify(document) };
}
