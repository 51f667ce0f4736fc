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
  const results: CheckResult[] = [];
  let config: SelfsnapConfig;
  try {
    config = await loadConfig(configPath);
    const count = Object.keys(config.policies).length;
    results.push(
      pass('config', `${configPath}: valid, ${count} ${count === 1 ? 'policy' : 'policies'}`),
    );
  } catch (error) {
    const fix = 'correct the key named above; config/config.yaml documents every key';
    return [...results, fail('config', error, fix)];
  }

  const metadata = new MetadataClient({
    endpoint: config.metadata.endpoint,
    tokenTtlSeconds: config.metadata.tokenTtlSeconds,
    allowTokenless: config.metadata.allowTokenless,
    timeoutMs: config.metadata.timeout,
    retries: config.metadata.retries,
  });
  let identity: InstanceIdentity;
  try {
    identity = await discoverIdentity(metadata);
    const { instanceId, regionId, zoneId } = identity;
    results.push(pass('metadata', `instance ${instanceId}, region ${regionId}, zone ${zoneId}`));
  } catch (error) {
    const fix = `make the metadata service reachable at ${config.metadata.endpoint} in token mode (run on the ECS instance; allow 100.100.100.200 in the firewall)`;
    return [...results, fail('metadata', error, fix)];
  }

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
    const expiration = credentials.health().expiration ?? 'unknown';
    results.push(pass('credentials', `RAM role credentials obtained, expire ${expiration}`));
  } catch (error) {
    const fix =
      'attach a RAM role to the instance (ECS console: Instance > Attach/Detach RAM Role)';
    return [...results, fail('credentials', error, fix)];
  }

  const ecs = new EcsClient({
    regionId: identity.regionId,
    endpoint: config.ecs.endpoint,
    protocol: config.ecs.protocol,
    timeoutMs: config.ecs.timeout,
    credentials,
  });
  results.push(...(await probePermissions(ecs, identity, needsDelete(config))));
  results.push(...(await checkPolicyDisks(ecs, identity, config)));
  return results;
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
