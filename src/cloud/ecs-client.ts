import type { RamRoleCredentials } from '../credentials/index.js';
import { SelfsnapError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { systemClock, type Clock } from './clock.js';
import { EcsApiCaller, type ApiCallRecord, type Body, type CallOptions } from './ecs-api-caller.js';
import type {
  CreateSnapshotGroupInput,
  CreateSnapshotInput,
  Disk,
  Snapshot,
  SnapshotFilter,
  SnapshotGroup,
  SnapshotGroupFilter,
} from './ecs-types.js';
import { parseDisk, parseSnapshot, parseSnapshotGroup } from './parse-response.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';

// DescribeSnapshots accepts at most 100 ids in SnapshotIds and 100 results a page.
export const SNAPSHOT_IDS_PER_CALL = 100;
const SNAPSHOT_PAGE_SIZE = 100;
// DescribeDisks clamps MaxResults to 10..500.
const DISK_PAGE_SIZE = 100;
// DescribeSnapshotGroups takes at most 10 SnapshotGroupId.N and 100 results a page.
const GROUP_IDS_PER_CALL = 10;
const GROUP_PAGE_SIZE = 100;
// TagResources and UntagResources take at most 50 ResourceId.N.
const TAG_RESOURCE_IDS_PER_CALL = 50;

/** Endpoint, credentials and retry settings of the ECS client. */
export interface EcsClientOptions {
  regionId: string;
  /** `host[:port]`; defaults to the region's VPC endpoint. */
  endpoint?: string;
  protocol: 'https' | 'http';
  timeoutMs: number;
  credentials: RamRoleCredentials;
  /** Overrides of the default retry policy. */
  retry?: Partial<RetryPolicy>;
  /** Time source of backoff and flow-control waits; the system clock by default. */
  clock?: Clock;
  /** Receives retry warnings. */
  logger?: Logger;
  /** Called after every API attempt, for metrics and debug logs. */
  onCall?: (call: ApiCallRecord) => void;
}

/**
 * Calls the ECS actions selfsnap needs through openapi-core, the engine under the generated
 * `@alicloud/ecs20140526` client. The generated client's methods only build these same request
 * parameters, but loading it pulls in about 3,450 model modules (0.8 s, 100 MB), so the daemon
 * builds them itself.
 */
export class EcsClient {
  readonly regionId: string;
  private readonly caller: EcsApiCaller;

  constructor(options: EcsClientOptions) {
    this.regionId = options.regionId;
    this.caller = new EcsApiCaller({
      connection: {
        regionId: options.regionId,
        endpoint: options.endpoint ?? `ecs-vpc.${options.regionId}.aliyuncs.com`,
        protocol: options.protocol,
        timeoutMs: options.timeoutMs,
        credentials: options.credentials,
      },
      refreshCredentials: () => options.credentials.refresh(),
      retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
      clock: options.clock ?? systemClock,
      logger: options.logger,
      onCall: options.onCall,
    });
  }

  /** Lists the disks attached to an instance, reading every page. */
  async describeInstanceDisks(instanceId: string, options: CallOptions = {}): Promise<Disk[]> {
    const pages = await this.readPages('DescribeDisks', options, {
      RegionId: this.regionId,
      InstanceId: instanceId,
      MaxResults: DISK_PAGE_SIZE,
    });
    return pages.flatMap((body) => listOf(body, 'Disks', 'Disk').map(parseDisk));
  }

  /** Starts one snapshot; a repeat with the same ClientToken returns the first SnapshotId. */
  async createSnapshot(input: CreateSnapshotInput, options: CallOptions = {}): Promise<string> {
    const query = {
      DiskId: input.diskId,
      SnapshotName: input.snapshotName,
      Description: input.description,
      ClientToken: input.clientToken,
      RetentionDays: input.retentionDays,
      Tag: toTagList(input.tags),
    };
    const body = await this.caller.call('CreateSnapshot', query, options);
    return requireString(body, 'SnapshotId', 'CreateSnapshot');
  }

  /** Starts a crash-consistent snapshot group; a repeated ClientToken returns the first group. */
  async createSnapshotGroup(
    input: CreateSnapshotGroupInput,
    options: CallOptions = {},
  ): Promise<string> {
    const query = {
      RegionId: this.regionId,
      InstanceId: input.instanceId,
      DiskId: input.diskIds,
      Name: input.name,
      Description: input.description,
      ClientToken: input.clientToken,
      Tag: toTagList(input.tags),
    };
    const body = await this.caller.call('CreateSnapshotGroup', query, options);
    return requireString(body, 'SnapshotGroupId', 'CreateSnapshotGroup');
  }

  /** Lists snapshot groups with their members, reading every page; ids go in batches of 10. */
  async describeSnapshotGroups(
    filter: SnapshotGroupFilter,
    options: CallOptions = {},
  ): Promise<SnapshotGroup[]> {
    const groups: SnapshotGroup[] = [];
    for (const ids of batchesOf(filter.snapshotGroupIds, GROUP_IDS_PER_CALL)) {
      const pages = await this.readPages('DescribeSnapshotGroups', options, {
        RegionId: this.regionId,
        InstanceId: filter.instanceId,
        SnapshotGroupId: ids,
        Tag: toTagList(filter.tags ?? {}),
        MaxResults: GROUP_PAGE_SIZE,
      });
      for (const body of pages) {
        groups.push(...listOf(body, 'SnapshotGroups', 'SnapshotGroup').map(parseSnapshotGroup));
      }
    }
    return groups;
  }

  /** Lists snapshots matching a filter, reading every page; ids go in batches of 100. */
  async describeSnapshots(filter: SnapshotFilter, options: CallOptions = {}): Promise<Snapshot[]> {
    if (filter.snapshotIds?.length === 0) return [];
    const batches = batchesOf(filter.snapshotIds, SNAPSHOT_IDS_PER_CALL);
    const pages = await Promise.all(
      batches.map((ids) =>
        this.readPages('DescribeSnapshots', options, {
          RegionId: this.regionId,
          InstanceId: filter.instanceId,
          DiskId: filter.diskId,
          SnapshotIds: ids && JSON.stringify(ids),
          Tag: toTagList(filter.tags ?? {}),
          MaxResults: SNAPSHOT_PAGE_SIZE,
        }),
      ),
    );
    return pages.flat().flatMap((body) => listOf(body, 'Snapshots', 'Snapshot').map(parseSnapshot));
  }

  /** Adds tags to snapshots, 50 ids a call. */
  async tagSnapshots(
    snapshotIds: string[],
    tags: Record<string, string>,
    options: CallOptions = {},
  ): Promise<void> {
    for (const ids of batchesOf(snapshotIds, TAG_RESOURCE_IDS_PER_CALL)) {
      const query = {
        RegionId: this.regionId,
        ResourceType: 'snapshot',
        ResourceId: ids,
        Tag: toTagList(tags),
      };
      await this.caller.call('TagResources', query, options);
    }
  }

  /** Removes tag keys from snapshots, 50 ids a call. */
  async untagSnapshots(
    snapshotIds: string[],
    tagKeys: string[],
    options: CallOptions = {},
  ): Promise<void> {
    for (const ids of batchesOf(snapshotIds, TAG_RESOURCE_IDS_PER_CALL)) {
      const query = {
        RegionId: this.regionId,
        ResourceType: 'snapshot',
        ResourceId: ids,
        TagKey: tagKeys,
      };
      await this.caller.call('UntagResources', query, options);
    }
  }

  /** Deletes a snapshot; one that no longer exists counts as deleted. */
  async deleteSnapshot(snapshotId: string, options: CallOptions = {}): Promise<void> {
    try {
      await this.caller.call('DeleteSnapshot', { SnapshotId: snapshotId }, options);
    } catch (error) {
      if ((error as { ecsCode?: string }).ecsCode === 'InvalidSnapshotId.NotFound') return;
      throw error;
    }
  }

  /** Sends one action with the given query parameters; `selfsnap check` probes permissions with it. */
  async send(action: string, query: Record<string, unknown>): Promise<Body> {
    return this.caller.call(action, query);
  }

  private async readPages(
    action: string,
    options: CallOptions,
    query: Record<string, unknown>,
  ): Promise<Body[]> {
    const pages: Body[] = [];
    let nextToken: string | undefined;
    do {
      const body = await this.caller.call(action, { ...query, NextToken: nextToken }, options);
      pages.push(body);
      nextToken = nextPageToken(body, nextToken, action);
    } while (nextToken !== undefined);
    return pages;
  }
}

/** Splits `ids` into batches of `size`; no ids gives one batch of undefined (no id filter). */
function batchesOf(ids: string[] | undefined, size: number): Array<string[] | undefined> {
  if (ids === undefined) return [undefined];
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += size) batches.push(ids.slice(i, i + size));
  return batches;
}

function toTagList(tags: Record<string, string>): Array<{ Key: string; Value: string }> {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
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
    throw new SelfsnapError(
      'ECS_REQUEST_FAILED',
      `${action} returned the same NextToken twice (${token}); the listing would never end`,
    );
  }
  return token;
}

function requireString(body: Body, key: string, action: string): string {
  const value = body[key];
  if (typeof value !== 'string' || value === '') {
    throw new SelfsnapError('ECS_REQUEST_FAILED', `${action} returned no ${key}`);
  }
  return value;
}
