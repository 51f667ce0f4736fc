import type { EcsClient, Snapshot } from '../cloud/index.js';
import { SelfsnapError } from '../errors/index.js';
import { TAG } from '../snapshot/snapshot-naming.js';
import { PIN_TAG } from './prune-plan.js';

/** The ECS calls pinning needs. */
export type PinEcs = Pick<EcsClient, 'describeSnapshots' | 'tagSnapshots' | 'untagSnapshots'>;

const SNAPSHOT_ID_PATTERN = /^s-[a-z0-9]{1,64}$/;
// ECS tag values are at most 128 characters and must not start with http:// or https://.
const TAG_VALUE_MAX = 128;

/**
 * Pins one of selfsnap's snapshots of this instance by tagging it `selfsnap:pin=<reason>`, which
 * keeps it out of every prune until it is unpinned, and returns the snapshot as tagged. Rejects a
 * snapshot that is not tagged `selfsnap:instance=<instanceId>`, because selfsnap changes no other.
 */
export async function pinSnapshot(
  ecs: PinEcs,
  instanceId: string,
  snapshotId: string,
  reason = '',
): Promise<Snapshot> {
  if (reason.length > TAG_VALUE_MAX || /^https?:\/\//.test(reason)) {
    throw new SelfsnapError(
      'REQUEST_INVALID',
      `invalid pin reason: it becomes a tag value, so it must be at most ${TAG_VALUE_MAX} characters and not start with http:// or https://`,
    );
  }
  const snapshot = await requireOwnSnapshot(ecs, instanceId, snapshotId);

  await ecs.tagSnapshots([snapshotId], { [PIN_TAG]: reason });
  return { ...snapshot, tags: { ...snapshot.tags, [PIN_TAG]: reason } };
}

/** Removes the `selfsnap:pin` tag from one of selfsnap's snapshots and returns the snapshot. */
export async function unpinSnapshot(
  ecs: PinEcs,
  instanceId: string,
  snapshotId: string,
): Promise<Snapshot> {
  const snapshot = await requireOwnSnapshot(ecs, instanceId, snapshotId);
  if (!(PIN_TAG in snapshot.tags)) return snapshot;

  await ecs.untagSnapshots([snapshotId], [PIN_TAG]);
  const tags = Object.fromEntries(Object.entries(snapshot.tags).filter(([key]) => key !== PIN_TAG));
  return { ...snapshot, tags };
}

async function requireOwnSnapshot(
  ecs: PinEcs,
  instanceId: string,
  snapshotId: string,
): Promise<Snapshot> {
  if (!SNAPSHOT_ID_PATTERN.test(snapshotId)) {
    throw new SelfsnapError(
      'REQUEST_INVALID',
      `invalid snapshot id "${snapshotId}": expected s- and lowercase letters or digits`,
    );
  }
  const [snapshot] = await ecs.describeSnapshots({ snapshotIds: [snapshotId] });
  if (snapshot === undefined) {
    throw new SelfsnapError('NOT_FOUND', `no snapshot ${snapshotId} in this region`);
  }
  const owner = snapshot.tags[TAG.instance];
  if (owner !== instanceId) {
    const tagged = owner === undefined ? 'no selfsnap:instance tag' : `${TAG.instance}=${owner}`;
    throw new SelfsnapError(
      'REQUEST_INVALID',
      `snapshot ${snapshotId} is not selfsnap's own on ${instanceId} (it has ${tagged}); selfsnap pins only its own snapshots`,
    );
  }
  return snapshot;
}
