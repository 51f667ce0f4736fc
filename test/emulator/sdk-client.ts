import CredentialsModule, { StaticSTSCredentialsProvider } from '@alicloud/credentials';
import EcsModule, * as EcsSdk from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';

/**
 * Returns a CommonJS module's `exports.default`. Node's ESM loader (tsx) hands out the whole
 * `module.exports` as the default import, while vitest hands out `exports.default` itself.
 */
function commonJsDefault<T>(imported: { default: T }): T {
  return typeof imported === 'function' ? (imported as unknown as T) : imported.default;
}

/** The ECS SDK client class of `@alicloud/ecs20140526`. */
export const EcsClient = commonJsDefault(EcsModule);
/** The ECS SDK client type. */
export type EcsClient = InstanceType<typeof EcsModule.default>;
/** The ECS SDK module's named exports: request models such as `CreateSnapshotRequest`. */
export { EcsSdk };

const Credential = commonJsDefault(CredentialsModule);

/** The RAM role credential document the metadata service returns. */
export interface RoleCredentialsDocument {
  AccessKeyId: string;
  AccessKeySecret: string;
  SecurityToken: string;
  Expiration: string;
  LastUpdated: string;
  Code: string;
}

/** Requests a metadata session token with the given lifetime in seconds. */
export async function fetchMetadataToken(imdsUrl: string, ttlSeconds = 21_600): Promise<string> {
  const response = await fetch(`${imdsUrl}/latest/api/token`, {
    method: 'PUT',
    headers: { 'X-aliyun-ecs-metadata-token-ttl-seconds': String(ttlSeconds) },
  });
  if (response.status !== 200)
    throw new Error(`metadata token request failed with HTTP ${response.status}`);
  return response.text();
}

/** Reads the RAM role's STS credentials from the metadata service in token mode. */
export async function fetchRoleCredentials(imdsUrl: string): Promise<RoleCredentialsDocument> {
  const token = await fetchMetadataToken(imdsUrl);
  const headers = { 'X-aliyun-ecs-metadata-token': token };
  const base = `${imdsUrl}/latest/meta-data/ram/security-credentials/`;

  const roleName = (await (await fetch(base, { headers })).text()).trim();
  const response = await fetch(`${base}${roleName}`, { headers });
  if (response.status !== 200)
    throw new Error(`credentials request failed with HTTP ${response.status}`);
  return (await response.json()) as RoleCredentialsDocument;
}

/** Creates a real ECS SDK client that calls the emulator over plain HTTP with STS credentials. */
export function createEcsClient(
  ecsEndpoint: string,
  credentials: RoleCredentialsDocument,
  regionId = 'cn-hangzhou',
): EcsClient {
  const provider = StaticSTSCredentialsProvider.builder()
    .withAccessKeyId(credentials.AccessKeyId)
    .withAccessKeySecret(credentials.AccessKeySecret)
    .withSecurityToken(credentials.SecurityToken)
    .build();
  const config = new $OpenApiUtil.Config({
    credential: new Credential(null, provider),
    endpoint: ecsEndpoint,
    protocol: 'http',
    regionId,
  });
  return new EcsClient(config);
}

/** Reads the emulator's role credentials over HTTP and returns an SDK client using them. */
export async function connectEcsClient(emulator: {
  imdsUrl: string;
  ecsEndpoint: string;
  instance: { regionId: string };
}) {
  const credentials = await fetchRoleCredentials(emulator.imdsUrl);
  const client = createEcsClient(emulator.ecsEndpoint, credentials, emulator.instance.regionId);
  return { client, credentials };
}

/** Runtime options of one SDK call; an empty object keeps the client's defaults. */
type RuntimeOptions = Parameters<EcsClient['callApi']>[2];

/**
 * Calls any ECS action through the SDK's generic `callApi` with exactly the given query, so a
 * test can send parameters that no request model offers (unknown names, malformed lists).
 */
export async function callAction(
  client: EcsClient,
  action: string,
  query: Record<string, string>,
): Promise<Record<string, unknown>> {
  const params = new $OpenApiUtil.Params({
    action,
    version: '2014-05-26',
    protocol: 'HTTP',
    pathname: '/',
    method: 'POST',
    authType: 'AK',
    style: 'RPC',
    reqBodyType: 'formData',
    bodyType: 'json',
  });
  const request = new $OpenApiUtil.OpenApiRequest({ query });
  const response = (await client.callApi(params, request, {} as RuntimeOptions)) as {
    body: Record<string, unknown>;
  };
  return response.body;
}
