import type { IncomingMessage, ServerResponse } from 'node:http';

import { z } from 'zod';

import type { EmulatorControl } from './control.js';
import { CONTROL_PREFIX } from './ecs-server.js';
import type { RecordedRequest } from './request-log.js';

const diskStatus = z.enum([
  'In_use',
  'Available',
  'Attaching',
  'Detaching',
  'Creating',
  'ReIniting',
]);
const schemas = {
  clock: z.strictObject({
    offsetMs: z.number().optional(),
    speed: z.number().nonnegative().optional(),
  }),
  advance: z.strictObject({ ms: z.number() }),
  settings: z.strictObject({
    snapshotDurationMs: z.number().nonnegative().optional(),
    snapshotAvailableFraction: z.number().min(0).max(1).optional(),
    credentialLifetimeMs: z.number().positive().optional(),
    credentialRotationMarginMs: z.number().nonnegative().optional(),
    manualSnapshotQuotaPerDisk: z.number().int().nonnegative().optional(),
    essdConcurrentSnapshotLimit: z.number().int().positive().optional(),
    snapshotGroupDiskLimit: z.number().int().positive().optional(),
    snapshotGroupTagsOnMembers: z.boolean().optional(),
    missingSnapshotOnDelete: z.enum(['notFound', 'ignore']).optional(),
    flowControlPerMinute: z.record(z.string(), z.number().int().nonnegative()).optional(),
    allowedActions: z.array(z.string()).optional(),
  }),
  error: z.strictObject({
    action: z.string(),
    code: z.string(),
    httpStatus: z.number().int().min(400).max(599),
    count: z.number().int().positive().default(1),
    message: z.string().optional(),
    diskId: z.string().optional(),
    parameter: z.string().optional(),
  }),
  latency: z.strictObject({
    action: z.string(),
    latencyMs: z.number().nonnegative(),
    count: z.number().int().positive().optional(),
  }),
  drop: z.strictObject({ action: z.string(), count: z.number().int().positive().default(1) }),
  snapshotFailure: z.strictObject({
    diskId: z.string(),
    count: z.number().int().positive().default(1),
  }),
  hang: z.strictObject({ hang: z.boolean() }),
  disk: z.strictObject({
    status: diskStatus.optional(),
    instanceId: z.string().optional(),
    afterMs: z.number().nonnegative().optional(),
  }),
  usage: z.strictObject({ usage: z.enum(['none', 'image', 'disk', 'image_disk']) }),
};

/** A route handler; `args` are the decoded capture groups of the path pattern. */
type Route = (
  control: EmulatorControl,
  body: unknown,
  args: string[],
  query: URLSearchParams,
) => unknown;

/** Replaces the security token in a logged request, which the HTTP view must not expose. */
function redact(record: RecordedRequest): RecordedRequest {
  const headers = { ...record.headers };
  if (headers['x-acs-security-token'] !== undefined) headers['x-acs-security-token'] = '<redacted>';
  return { ...record, headers };
}

const ROUTES: Array<[string, RegExp, Route]> = [
  [
    'GET',
    /^requests$/,
    (c, _b, _m, q) => ({
      requests: c.requests({ action: q.get('action') ?? undefined }).map(redact),
    }),
  ],
  ['DELETE', /^requests$/, (c) => c.clearRequests()],
  ['GET', /^imds-requests$/, (c) => ({ requests: c.imdsRequests() })],
  ['GET', /^snapshots$/, (c) => ({ snapshots: c.snapshots() })],
  [
    'PUT',
    /^snapshots\/([^/]+)\/usage$/,
    (c, b, m) => c.setSnapshotUsage(m[0] ?? '', schemas.usage.parse(b).usage),
  ],
  ['GET', /^disks$/, (c) => ({ disks: c.disks() })],
  [
    'POST',
    /^disks\/([^/]+)$/,
    (c, b, m) => c.changeDisk({ diskId: m[0] ?? '', ...schemas.disk.parse(b) }),
  ],
  ['GET', /^clock$/, (c) => c.clock()],
  ['PUT', /^clock$/, (c, b) => c.setClock(schemas.clock.parse(b))],
  ['POST', /^clock\/advance$/, (c, b) => c.advanceClock(schemas.advance.parse(b).ms)],
  ['GET', /^settings$/, (c) => c.settings()],
  ['PATCH', /^settings$/, (c, b) => c.updateSettings(schemas.settings.parse(b))],
  ['GET', /^faults$/, (c) => c.faults()],
  ['DELETE', /^faults$/, (c) => c.resetFaults()],
  ['POST', /^faults\/errors$/, (c, b) => c.injectError(schemas.error.parse(b))],
  ['POST', /^faults\/latency$/, (c, b) => c.injectLatency(schemas.latency.parse(b))],
  ['POST', /^faults\/drops$/, (c, b) => c.dropResponses(schemas.drop.parse(b))],
  [
    'POST',
    /^faults\/snapshot-failures$/,
    (c, b) => c.failSnapshots(schemas.snapshotFailure.parse(b)),
  ],
  ['PUT', /^imds\/hang$/, (c, b) => c.setImdsHang(schemas.hang.parse(b).hang)],
];

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body ?? { ok: true }));
}

/** Creates the handler of the JSON control endpoint under `/_emulator/`. */
export function createControlHandler(control: EmulatorControl) {
  return (request: IncomingMessage, response: ServerResponse, body: Buffer): void => {
    const url = new URL(request.url ?? '/', 'http://emulator');
    const path = url.pathname.slice(CONTROL_PREFIX.length);
    const methodRoutes = ROUTES.filter(([, pattern]) => pattern.test(path));
    const route = methodRoutes.find(([method]) => method === request.method);
    if (route === undefined) {
      reply(response, methodRoutes.length > 0 ? 405 : 404, {
        error: `no route ${request.method} ${url.pathname}`,
      });
      return;
    }

    try {
      const parsed: unknown = body.length > 0 ? JSON.parse(body.toString('utf8')) : {};
      const args = (route[1].exec(path) ?? []).slice(1).map((arg) => decodeURIComponent(arg));
      reply(response, 200, route[2](control, parsed, args, url.searchParams));
    } catch (error) {
      const message =
        error instanceof z.ZodError ? z.prettifyError(error) : (error as Error).message;
      reply(response, 400, { error: message });
    }
  };
}
