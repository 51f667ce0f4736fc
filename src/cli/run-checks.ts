import { EcsClient } from '../cloud/index.js';
import { loadConfig, type SelfsnapConfig } from '../config/index.js';
import { createRamRoleCredentials } from '../credentials/index.js';
import { toSelfsnapError, type SelfsnapError } from '../errors/index.js';
import { discoverIdentity, MetadataClient, type InstanceIdentity } from '../metadata/index.js';
import { selectDisks } from '../snapshot/select-disks.js';
import { probePermissions } from './probe-permissions.js';

/** The outcome of one check, with the change that fixes it when it failed. */
export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

/**
 * Checks what the daemon needs, in order, without the daemon: the config, the metadata service,
 * the RAM role credentials, each ECS permission the policies use, and each policy's disks. A
 * failed config, metadata or credentials check stops the rest, which depend on it.
 */
export async function runChecks(configPath: string): Promise<CheckResult[]> {
  const config = await checkConfig(configPath);
  if (!config.ok) return [config.result];

  const metadata = new MetadataClient({
    endpoint: config.value.metadata.endpoint,
    tokenTtlSeconds: config.value.metadata.tokenTtlSeconds,
    allowTokenless: config.value.metadata.allowTokenless,
    timeoutMs: config.value.metadata.timeout,
    retries: config.value.metadata.retries,
  });
  const identity = await checkMetadata(metadata, config.value);
  if (!identity.ok) return [config.result, identity.result];

  const ecs = await checkCredentials(metadata, config.value, identity.value);
  if (!ecs.ok) return [config.result, identity.result, ecs.result];

  return [
    config.result,
    identity.result,
    ecs.result,
    ...(await probePermissions(ecs.value, identity.value, needsDelete(config.value))),
    ...(await checkPolicyDisks(ecs.value, identity.value, config.value)),
  ];
}

/** A check's result, plus the value later checks build on when it passed. */
type Step<T> = { ok: true; value: T; result: CheckResult } | { ok: false; result: CheckResult };

async function checkConfig(configPath: string): Promise<Step<SelfsnapConfig>> {
  try {
    const config = await loadConfig(configPath);
    const count = Object.keys(config.policies).length;
    const detail = `${configPath}: valid, ${count} ${count === 1 ? 'policy' : 'policies'}`;
    return { ok: true, value: config, result: pass('config', detail) };
  } catch (error) {
    const fix = 'correct the key named above; config/config.yaml documents every key';
    return { ok: false, result: fail('config', error, fix) };
  }
}

async function checkMetadata(
  metadata: MetadataClient,
  config: SelfsnapConfig,
): Promise<Step<InstanceIdentity>> {
  try {
    const identity = await discoverIdentity(metadata);
    const { instanceId, regionId, zoneId } = identity;
    const detail = `instance ${instanceId}, region ${regionId}, zone ${zoneId}`;
    return { ok: true, value: identity, result: pass('metadata', detail) };
  } catch (error) {
    const fix = `make the metadata service reachable at ${config.metadata.endpoint} in token mode (run on the ECS instance; allow 100.100.100.200 in the firewall)`;
    return { ok: false, result: fail('metadata', error, fix) };
  }
}

async function checkCredentials(
  metadata: MetadataClient,
  config: SelfsnapConfig,
  identity: InstanceIdentity,
): Promise<Step<EcsClient>> {
  const credentials = createRamRoleCredentials(
    {
      metadataEndpoint: config.metadata.endpoint,
      allowTokenless: config.metadata.allowTokenless,
      timeoutMs: config.metadata.timeout,
    },
    metadata,
  );
  try {
    await credentials.credential.getCredential();
  } catch (error) {
    const fix =
      'attach a RAM role to the instance (ECS console: Instance > Attach/Detach RAM Role)';
    return { ok: false, result: fail('credentials', error, fix) };
  }
  const expiration = credentials.health().expiration ?? 'unknown';
  const ecs = new EcsClient({
    regionId: identity.regionId,
    endpoint: config.ecs.endpoint,
    protocol: config.ecs.protocol,
    timeoutMs: config.ecs.timeout,
    credentials,
  });
  const detail = `RAM role credentials obtained, expire ${expiration}`;
  return { ok: true, value: ecs, result: pass('credentials', detail) };
}

async function checkPolicyDisks(
  ecs: EcsClient,
  identity: InstanceIdentity,
  config: SelfsnapConfig,
): Promise<CheckResult[]> {
  let disks;
  try {
    disks = await ecs.describeInstanceDisks(identity.instanceId);
  } catch (error) {
    return [fail('disks', error, 'fix the DescribeDisks failure above first')];
  }
  const checks = Object.entries(config.policies).map(async ([name, policy]) => {
    try {
      const selected = (await selectDisks(disks, policy.disks)).map((disk) => disk.diskId);
      if (selected.length === 0) {
        return {
          name: `policy ${name}`,
          ok: false,
          detail: `disks: ${JSON.stringify(policy.disks)} selects no disk of this instance`,
          fix: `set policies.${name}.disks to all, system, data or disk ids attached here`,
        };
      }
      return pass(`policy ${name}`, `${selected.length} disks: ${selected.join(', ')}`);
    } catch (error) {
      return fail(`policy ${name}`, error, `correct policies.${name}.disks`);
    }
  });
  return Promise.all(checks);
}

// DeleteSnapshot is needed only where selfsnap prunes, that is where a policy keeps a retention.
function needsDelete(config: SelfsnapConfig): boolean {
  return Object.values(config.policies).some(
    (policy) => Object.keys(policy.retention ?? {}).length > 0,
  );
}

function pass(name: string, detail: string): CheckResult {
  return { name, ok: true, detail };
}

/** Builds a failed check from an error, keeping its ECS code when there is one. */
export function fail(name: string, error: unknown, fix: string): CheckResult {
  const wrapped: SelfsnapError = toSelfsnapError(error);
  return { name, ok: false, detail: wrapped.message, fix };
}
