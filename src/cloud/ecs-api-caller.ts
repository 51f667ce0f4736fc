import type openapiCore from '@alicloud/openapi-core';
import { commonJsExports, type RamRoleCredentials } from '../credentials/index.js';
import { SelfsnapError, type ErrorCode } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import type { Clock } from './clock.js';
import { toEcsError } from './ecs-error.js';
import { retryDelayMs, retryKindOf, type RetryKind, type RetryPolicy } from './retry-policy.js';

const API_VERSION = '2014-05-26';

/** One ECS API attempt as the caller observed it, for metrics and health. */
export interface ApiCallRecord {
  action: string;
  durationMs: number;
  /** 1 for the first attempt of a call, 2 for its first retry, and so on. */
  attempt: number;
  /** The ECS error `Code` when the API returned an error. */
  ecsCode?: string;
  /** selfsnap's error code when the attempt failed, network failures included. */
  errorCode?: ErrorCode;
}

type OpenApi = typeof openapiCore;
type OpenApiClient = InstanceType<OpenApi['default']>;

/** The endpoint, protocol, timeout and credentials of ECS API calls. */
export interface EcsConnection {
  regionId: string;
  /** `host[:port]`. */
  endpoint: string;
  protocol: 'https' | 'http';
  /** Connect and read timeout of each attempt. */
  timeoutMs: number;
  credentials: RamRoleCredentials;
}

/** The endpoint, credentials, retry policy and observers of the caller. */
export interface EcsApiCallerOptions {
  connection: EcsConnection;
  /** Drops the cached credential set so the next call fetches a new one. */
  refreshCredentials: () => void;
  retry: RetryPolicy;
  clock: Clock;
  logger?: Logger;
  onCall?: (call: ApiCallRecord) => void;
}

/** Per-call options. */
export interface CallOptions {
  /** Stops retrying once aborted; an attempt already sent still completes. */
  signal?: AbortSignal;
}

type Query = Record<string, unknown>;
/** A JSON response body. */
export type Body = Record<string, unknown>;

/**
 * Sends RPC-style ECS calls and retries them by kind of failure. Every attempt sends the same
 * parameters, ClientToken included, and fetches credentials from the provider anew.
 */
export class EcsApiCaller {
  private client?: Promise<{ openapi: OpenApi; client: OpenApiClient }>;

  constructor(private readonly options: EcsApiCallerOptions) {}

  /** Calls `action` with `query`, retrying as the retry policy allows. */
  async call(action: string, query: Query, callOptions: CallOptions = {}): Promise<Body> {
    const retries = new Map<RetryKind, number>();
    for (let attempt = 1; ; attempt++) {
      let failure: SelfsnapError;
      try {
        return await this.attempt(action, query, attempt);
      } catch (error) {
        failure = toEcsError(action, error);
      }

      const kind = retryKindOf(failure);
      const retry = kind === undefined ? 0 : (retries.get(kind) ?? 0) + 1;
      const clock = this.options.clock;
      const delayMs =
        kind === undefined ? undefined : retryDelayMs(kind, retry, this.options.retry, clock.now());
      if (kind === undefined || delayMs === undefined) throw failure;
      if (isAborted(callOptions.signal)) throw stoppedError(action, failure);

      retries.set(kind, retry);
      this.logRetry(action, failure, { kind, attempt, delayMs });
      if (kind === 'credentials-expired') this.options.refreshCredentials();
      await clock.sleep(delayMs, callOptions.signal);
      if (isAborted(callOptions.signal)) throw stoppedError(action, failure);
    }
  }

  private async attempt(action: string, query: Query, attempt: number): Promise<Body> {
    const { openapi, client } = await this.connect();
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
      const response = (await client.callApi(params, request, {} as never)) as {
        body: Body;
      };
      this.options.onCall?.({ action, durationMs: Date.now() - started, attempt });
      return response.body;
    } catch (error) {
      const wrapped = toEcsError(action, error);
      this.options.onCall?.({
        action,
        durationMs: Date.now() - started,
        attempt,
        ecsCode: wrapped.ecsCode,
        errorCode: wrapped.code,
      });
      throw wrapped;
    }
  }

  /**
   * Imports openapi-core (about 12 MiB of RSS with its dependencies, Node.js 20 on Linux x64) and
   * creates its client on the first call, so a process that has made no ECS call does not hold
   * it. Once loaded, it stays.
   */
  private connect(): Promise<{ openapi: OpenApi; client: OpenApiClient }> {
    this.client ??= createClient(this.options.connection).catch((error: unknown) => {
      this.client = undefined;
      throw error;
    });
    return this.client;
  }

  private logRetry(
    action: string,
    error: SelfsnapError,
    retry: { kind: RetryKind; attempt: number; delayMs: number },
  ): void {
    const fields = {
      action,
      attempt: retry.attempt,
      retryKind: retry.kind,
      retryInMs: retry.delayMs,
      ecsCode: error.ecsCode,
      requestId: error.requestId,
      err: error,
    };
    // A throttled call waits up to a minute, which an operator should see; others are routine.
    if (retry.kind === 'throttled' || retry.attempt > 2) {
      this.options.logger?.warn(fields, 'ecs call failed; retrying');
    } else {
      this.options.logger?.debug(fields, 'ecs call failed; retrying');
    }
  }
}

async function createClient(connection: EcsConnection) {
  const [namespace, credential] = await Promise.all([
    import('@alicloud/openapi-core'),
    connection.credentials.load(),
  ]);
  const openapi = commonJsExports<typeof openapiCore>(namespace);
  const config = new openapi.$OpenApiUtil.Config({
    credential,
    endpoint: connection.endpoint,
    protocol: connection.protocol,
    regionId: connection.regionId,
    connectTimeout: connection.timeoutMs,
    readTimeout: connection.timeoutMs,
    signatureVersion: 'v3',
  });
  return { openapi, client: new openapi.default(config) };
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function stoppedError(action: string, last: SelfsnapError): SelfsnapError {
  return new SelfsnapError('ECS_REQUEST_FAILED', `${action} not retried: the daemon is stopping`, {
    retryable: true,
    cause: last,
    ecsCode: last.ecsCode,
    requestId: last.requestId,
  });
}

function dropUndefined(query: Query): Query {
  return Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined));
}
