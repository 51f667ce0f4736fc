import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig, type PolicyConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log/index.js';
import {
  pruneOnRequest,
  type PruneOnRequestOptions,
  type UndeletableStore,
} from '../../src/retention/index.js';
import { startEmulator, type Emulator, type Scenario } from '../emulator/index.js';
import { connectEcs } from './emulator-ecs.js';

const INSTANCE_ID = 'i-bp1selfsnap0emu0001';
const DATA_DISK = 'd-bp1selfsnap0dat00001';
const RELEASED_DISK = 'd-bp1released0000001';
const OWNED_TAGS = { 'selfsnap:instance': INSTANCE_ID, 'selfsnap:policy': 'nightly' };

const SNAPSHOTS: Scenario['snapshots'] = [
  ...[1, 2, 3, 4].map((days) => ({
    snapshotId: `s-data${days}`,
    diskId: DATA_DISK,
    createdAgo: `${days}d`,
    tags: OWNED_TAGS,
  })),
  { snapshotId: 's-released1', diskId: RELEASED_DISK, createdAgo: '30d', tags: OWNED_TAGS },
  { snapshotId: 's-released2', diskId: RELEASED_DISK, createdAgo: '31d', tags: OWNED_TAGS },
  {
    snapshotId: 's-weekly1',
    diskId: DATA_DISK,
    createdAgo: '9d',
    tags: { ...OWNED_TAGS, 'selfsnap:policy': 'weekly' },
  },
];

/** Policies as the config schema fills them in. */
function policies(): Record<string, PolicyConfig> {
  return parseConfig(
    JSON.stringify({
      policies: {
        nightly: { timezone: 'Asia/Shanghai', retention: { keepLast: 2 } },
        weekly: { retention: { keepLast: 5 } },
        adhoc: {},
      },
    }),
  ).policies;
}

/** An undeletable store that contains nothing and records the updates it receives. */
function recordingStore(): UndeletableStore & { updates: unknown[] } {
  const updates: unknown[] = [];
  return {
    updates,
    heldAt: () => new Set(),
    update: async (change) => {
      updates.push(change);
    },
  };
}

describe('pruneOnRequest', () => {
  let emulator: Emulator | undefined;

  async function start(scenario: Scenario = {}): Promise<PruneOnRequestOptions> {
    emulator = await startEmulator({ scenario: { snapshots: SNAPSHOTS, ...scenario } });
    return {
      ecs: connectEcs(emulator),
      logger: createLogger({ level: 'silent' }),
      undeletable: recordingStore(),
      instanceId: INSTANCE_ID,
      policies: policies(),
    };
  }

  function deleteRequests(): string[] {
    const requests = emulator?.control.requests({ action: 'DeleteSnapshot' }) ?? [];
    return requests.map((request) => request.params.SnapshotId ?? '').sort();
  }

  function callCount(action: string): number {
    return emulator?.control.requests({ action }).length ?? 0;
  }

  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  it('deletes what the rules select and keeps snapshots of a released disk', async () => {
    const options = await start();

    const answer = await pruneOnRequest({ policy: 'nightly', dryRun: false }, options);
    const [nightly] = answer.policies;

    expect(nightly?.status).toBe('executed');
    expect(nightly?.summary?.deleted).toBe(2);
    expect(deleteRequests()).toEqual(['s-data3', 's-data4']);
    const remaining = emulator?.control.snapshots().map((snapshot) => snapshot.snapshotId);
    expect(remaining?.sort()).toEqual([
      's-data1',
      's-data2',
      's-released1',
      's-released2',
      's-weekly1',
    ]);
  });

  it('plans with the reasons and deletes nothing when dryRun is set', async () => {
    const options = await start();

    const answer = await pruneOnRequest({ policy: 'nightly', dryRun: true }, options);
    const entries = answer.policies[0]?.entries ?? [];

    expect(answer.dryRun).toBe(true);
    expect(answer.policies[0]?.status).toBe('planned');
    expect(entries.filter((entry) => entry.action === 'delete')).toHaveLength(2);
    expect(entries.find((entry) => entry.snapshotId === 's-released2')?.reasons).toEqual([
      'source disk gone',
    ]);
    expect(entries.find((entry) => entry.snapshotId === 's-data4')?.reasons).toEqual([
      'not kept by keepLast 2',
    ]);
    expect(deleteRequests()).toEqual([]);
  });

  it('prunes every policy from one listing when none is named', async () => {
    const options = await start();

    const answer = await pruneOnRequest({ dryRun: false }, options);

    expect(answer.policies.map((result) => [result.policy, result.status])).toEqual([
      ['nightly', 'executed'],
      ['weekly', 'executed'],
      ['adhoc', 'skipped'],
    ]);
    expect(answer.policies[2]?.reason).toBe('the policy has no retention rules');
    expect(callCount('DescribeDisks')).toBe(1);
    expect(callCount('DescribeSnapshots')).toBe(1);
    expect(deleteRequests()).toEqual(['s-data3', 's-data4']);
  });

  it('sends no call when the named policy has no retention rules', async () => {
    const options = await start();

    const answer = await pruneOnRequest({ policy: 'adhoc', dryRun: false }, options);

    expect(answer.policies).toEqual([
      {
        policy: 'adhoc',
        status: 'skipped',
        reason: 'the policy has no retention rules',
        entries: [],
        warnings: [],
      },
    ]);
    expect(emulator?.control.requests()).toEqual([]);
  });

  it('rejects an unknown policy with REQUEST_INVALID', async () => {
    const options = await start();

    await expect(pruneOnRequest({ policy: 'hourly', dryRun: true }, options)).rejects.toMatchObject(
      {
        code: 'REQUEST_INVALID',
        message: 'no policy named "hourly" (defined: nightly, weekly, adhoc)',
      },
    );
  });

  it.each(['DescribeDisks', 'DescribeSnapshots'])(
    'throws the cloud error and deletes nothing when %s fails',
    async (action) => {
      const options = await start({
        faults: { errors: [{ action, code: 'InvalidParameter', httpStatus: 400, count: 1 }] },
      });

      const call = pruneOnRequest({ policy: 'nightly', dryRun: false }, options);

      await expect(call).rejects.toMatchObject({
        code: 'ECS_REQUEST_FAILED',
        ecsCode: 'InvalidParameter',
      });
      expect(deleteRequests()).toEqual([]);
    },
  );

  it('records rejections and deletions in the undeletable store', async () => {
    const options = await start({
      snapshots: SNAPSHOTS?.map((snapshot) =>
        snapshot.snapshotId === 's-data4' ? { ...snapshot, usage: 'image' } : snapshot,
      ),
    });

    const answer = await pruneOnRequest({ policy: 'nightly', dryRun: false }, options);
    const store = options.undeletable as ReturnType<typeof recordingStore>;

    expect(answer.policies[0]?.summary).toMatchObject({ deleted: 1, undeletable: 1 });
    expect(store.updates).toEqual([
      {
        rejected: [
          {
            snapshotId: 's-data4',
            diskId: DATA_DISK,
            policy: 'nightly',
            code: 'SnapshotCreatedImage',
            message: expect.stringContaining('s-data4') as unknown,
          },
        ],
        deleted: ['s-data3'],
        listedIds: new Set(SNAPSHOTS?.map((snapshot) => snapshot.snapshotId)),
      },
    ]);
  });
});
