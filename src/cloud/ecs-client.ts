import openapi from '@alicloud/openapi-core';
import type { RamRoleCredentials } from '../credentials/index.js';
import { toEcsError } from './ecs-error.js';
import type { CreateSnapshotInput, Disk, Snapshot, SnapshotFilter } from './ecs-types.js';
import { parseDisk, parseSnapshot } from './parse-response.js';

const API_VERSION = '2014-05-26';
// DescribeSnapshots accepts at most 100 ids in SnapshotIds and 100 results a page.
export const SNAPSHOT_IDS_PER_CALL = 100;
const SNAPSHOT_PAGE_SIZE = 100;
// DescribeDisks clamps MaxResults to 10..500.
const DISK_PAGE_SIZE = 100;

/** Where and how to reach the ECS API. */
export interface EcsClientOptions {
  regionId: string;
  /** `host[:port]`; defaults to the region's VPC endpoint. */
  endpoint?: string;
  protocol: 'https' | 'http';
  timeoutMs: number;
  credentials: RamRoleCredentials;
  /** Called after every API call, for metrics and debug logs. */
  onCall?: (call: { action: string; durationMs: number; ecsCode?: string }) => void;
}

type Query = Record<string, unknown>;
type Body = Record<string, unknown>;

/**
 * Calls the ECS actions selfsnap needs through openapi-core, the engine under the generated
 * `@alicloud/ecs20140526` client. The generated client's methods only build these same request
 * parameters, but loading it pulls in about 3,450 model modules (0.8 s, 100 MB), so the daemon
 * builds them itself.
 */
export class EcsClient {
  readonly regionId: string;
  private readonly client: InstanceType<typeof openapi.default>;

  constructor(private readonly options: EcsClientOptions) {
    this.regionId = options.regionId;
    this.client = new openapi.default(
      new openapi.$OpenApiUtil.Config({
        credential: options.credentials.credential,
        endpoint: options.endpoint ?? `ecs-vpc.${options.regionId}.aliyuncs.com`,
        protocol: options.protocol,
        regionId: options.regionId,
        connectTimeout: options.timeoutMs,
        readTimeout: options.timeoutMs,
        signatureVersion: 'v3',
      }),
    );
  }

  /** Lists the disks attached to an instance, reading every page. */
  async describeInstanceDisks(instanceId: string): Promise<Disk[]> {
    const disks: Disk[] = [];
    let nextToken: string | undefined;
    do {
      const body = await this.call('DescribeDisks', {
        RegionId: this.regionId,
        InstanceId: instanceId,
        MaxResults: DISK_PAGE_SIZE,
        NextToken: nextToken,
      });
      disks.push(...listOf(body, 'Disks', 'Disk').map(parseDisk));
      nextToken = nextPageToken(body, nextToken, 'DescribeDisks');
    } while (nextToken !== undefined);
    return disks;
  }

  /** Starts one snapshot; a repeat with the same ClientToken returns the first SnapshotId. */
  async createSnapshot(input: CreateSnapshotInput): Promise<string> {
    const body = await this.call('CreateSnapshot', {
      DiskId: input.diskId,
      SnapshotName: input.snapshotName,
      Description: input.description,
      ClientToken: input.clientToken,
      RetentionDays: input.retentionDays,
      Tag: Object.entries(input.tags).map(([Key, Value]) => ({ Key, Value })),
    });
    return requireString(body, 'SnapshotId', 'CreateSnapshot');
  }

  /** Lists snapshots matching a filter, reading every page; ids go in batches of 100. */
  async describeSnapshots(filter: SnapshotFilter): Promise<Snapshot[]> {
    const ids = filter.snapshotIds;
    if (ids === undefined) return this.describeSnapshotPages(filter);
    if (ids.length === 0) return [];

    const batches: string[][] = [];
    for (let i = 0; i < ids.length; i += SNAPSHOT_IDS_PER_CALL) {
      batches.push(ids.slice(i, i + SNAPSHOT_IDS_PER_CALL));
    }
    const pages = await Promise.all(
      batches.map((batch) => this.describeSnapshotPages({ ...filter, snapshotIds: batch })),
    );
    return pages.flat();
  }

  /** Deletes a snapshot; one that no longer exists counts as deleted. */
  async deleteSnapshot(snapshotId: string): Promise<void> {
    try {
      await this.call('DeleteSnapshot', { SnapshotId: snapshotId });
    } catch (error) {
      if ((error as { ecsCode?: string }).ecsCode === 'InvalidSnapshotId.NotFound') return;
      throw error;
    }
  }

  /** Sends one action with the given query parameters; `selfsnap check` probes permissions with it. */
  async send(action: string, query: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.call(action, query);
  }

  private async describeSnapshotPages(filter: SnapshotFilter): Promise<Snapshot[]> {
    const snapshots: Snapshot[] = [];
    let nextToken: string | undefined;
    do {
      const body = await this.call('DescribeSnapshots', {
        RegionId: this.regionId,
        InstanceId: filter.instanceId,
        DiskId: filter.diskId,
        SnapshotIds: filter.snapshotIds && JSON.stringify(filter.snapshotIds),
        Tag: Object.entries(filter.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
        MaxResults: SNAPSHOT_PAGE_SIZE,
        NextToken: nextToken,
      });
      snapshots.push(...listOf(body, 'Snapshots', 'Snapshot').map(parseSnapshot));
      nextToken = nextPageToken(body, nextToken, 'DescribeSnapshots');
    } while (nextToken !== undefined);
    return snapshots;
  }

  private async call(action: string, query: Query): Promise<Body> {
    const started = Date.now();
    const params = new openapi.$OpenApiUtil.Params({
      action,
      version: API_VERSION,
      protocol: 'HTTPS',
      pathname: '/',
      method: 'POST',
      authType: 'AK',
      style: 'RPC',
      reqBodyType: 'formData',
      bodyType: 'json',
    });
    const request = new openapi.$OpenApiUtil.OpenApiRequest({
      query: openapi.OpenApiUtil.query(dropUndefined(query)),
    });
    try {
      const response = (await this.client.callApi(params, request, {} as never)) as { body: Body };
      this.options.onCall?.({ action, durationMs: Date.now() - started });
      return response.body;
    } catch (error) {
      const wrapped = toEcsError(action, error);
      this.options.onCall?.({ action, durationMs: Date.now() - started, ecsCode: wrapped.ecsCode });
      throw wrapped;
    }
  }
}

function dropUndefined(query: Query): Query {
  return Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined));
}

function listOf(body: Body, outer: string, inner: string): Record<string, unknown>[] {
  const wrapper = body[outer] as Record<string, unknown> | undefined;
  const list = wrapper?.[inner];
  return Array.isArray(list) ? (list as Record<string, unknown>[]) : [];
}

function nextPageToken(
  body: Body,
  previous: string | undefined,
  action: string,
): string | undefined {
  const token = body.NextToken;
  if (typeof token !== 'string' || token === '') return undefined;
  if (token === previous) {
    throw toEcsError(action, new Error(`listing returned the same NextToken twice (${token})`));
  }
  return token;
}

function requireString(body: Body, key: string, action: string): string {
  const value = body[key];
  if (typeof value !== 'string' || value === '') {
    throw toEcsError(action, new Error(`answer has no ${key}`));
  }
  return value;
}
