import type { EcsClient } from '../cloud/index.js';
import { toSelfsnapError } from '../errors/index.js';
import type { InstanceIdentity } from '../metadata/index.js';
import { fail, type CheckResult } from './run-checks.js';

// A name the API always rejects (snapshot names must not start with `auto`), so the probe
// cannot create a snapshot.
const PROBE_SNAPSHOT_NAME = 'auto-selfsnap-permission-check';
// A well-formed id that no snapshot has; deleting a snapshot that does not exist changes nothing.
const PROBE_SNAPSHOT_ID = 's-selfsnapcheck000000000';

/** One permission probe: the action, its query, and the ECS codes that prove the call was allowed. */
interface Probe {
  action: string;
  query: Record<string, unknown>;
  allowedCodes: string[];
  method: string;
}

/**
 * Exercises each ECS action selfsnap calls without changing anything: DryRun where the API offers
 * it (DescribeDisks and DescribeSnapshots return `DryRunOperation`), and elsewhere a call the API
 * rejects after authorizing it (CreateSnapshot with an invalid name, DeleteSnapshot of an id that
 * does not exist).
 *
 * NOTE: the non-DryRun probes assume the API checks RAM permissions before it validates
 * parameters, as the emulator does; if it validated first, a missing permission would show as
 * allowed here and fail at the first real run.
 */
export async function probePermissions(
  ecs: EcsClient,
  identity: InstanceIdentity,
  includeDelete: boolean,
): Promise<CheckResult[]> {
  const diskId = await firstDiskId(ecs, identity);
  const probes = buildProbes(identity, diskId, includeDelete);
  const skipped: CheckResult[] = [];
  if (diskId === undefined) {
    skipped.push({
      name: 'CreateSnapshot',
      ok: false,
      detail: 'not checked: DescribeDisks listed no disk to probe with',
      fix: 'fix the DescribeDisks check first',
    });
  }
  return [...(await Promise.all(probes.map((probe) => runProbe(ecs, probe)))), ...skipped];
}

function buildProbes(
  identity: InstanceIdentity,
  diskId: string | undefined,
  includeDelete: boolean,
): Probe[] {
  const listing = { RegionId: identity.regionId, InstanceId: identity.instanceId, DryRun: true };
  const probes: Probe[] = [
    {
      action: 'DescribeDisks',
      query: listing,
      allowedCodes: ['DryRunOperation'],
      method: 'DryRun',
    },
    {
      action: 'DescribeSnapshots',
      query: listing,
      allowedCodes: ['DryRunOperation'],
      method: 'DryRun',
    },
  ];
  if (diskId !== undefined) {
    probes.push({
      action: 'CreateSnapshot',
      query: { DiskId: diskId, SnapshotName: PROBE_SNAPSHOT_NAME },
      allowedCodes: ['InvalidSnapshotName.Malformed'],
      method: 'rejected name',
    });
  }
  if (includeDelete) {
    probes.push({
      action: 'DeleteSnapshot',
      query: { SnapshotId: PROBE_SNAPSHOT_ID },
      allowedCodes: ['InvalidSnapshotId.NotFound', 'InvalidSnapshotId.Malformed'],
      method: 'unknown id',
    });
  }
  return probes;
}

async function runProbe(ecs: EcsClient, probe: Probe): Promise<CheckResult> {
  const fix = `allow ecs:${probe.action} in the instance RAM role's policy (config/ram-policy.json lists what selfsnap needs)`;
  let body: Record<string, unknown>;
  try {
    body = await ecs.send(probe.action, probe.query);
  } catch (error) {
    const wrapped = toSelfsnapError(error);
    if (wrapped.ecsCode !== undefined && probe.allowedCodes.includes(wrapped.ecsCode)) {
      return {
        name: probe.action,
        ok: true,
        detail: `allowed (${probe.method}: ${wrapped.ecsCode})`,
      };
    }
    const forbidden = wrapped.code === 'ECS_FORBIDDEN' || wrapped.ecsCode?.startsWith('Forbidden');
    return fail(
      probe.action,
      error,
      forbidden === true ? fix : 'see the error above, then run selfsnap check again',
    );
  }
  // An API that ignored DryRun, or accepted the probe, still proves the permission; a snapshot
  // made that way is removed at once.
  if (typeof body.SnapshotId === 'string') await ecs.deleteSnapshot(body.SnapshotId);
  return { name: probe.action, ok: true, detail: `allowed (${probe.method}: call accepted)` };
}

async function firstDiskId(
  ecs: EcsClient,
  identity: InstanceIdentity,
): Promise<string | undefined> {
  try {
    const disks = await ecs.describeInstanceDisks(identity.instanceId);
    return disks[0]?.diskId;
  } catch {
    // The DescribeDisks probe and the disk check report this failure.
    return undefined;
  }
}
