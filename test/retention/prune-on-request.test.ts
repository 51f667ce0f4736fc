import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index.js';
import { prunePolicy, type PrunePolicyOptions } from '../../src/retention/index.js';
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
];

describe('prunePolicy', () => {
  let emulator: Emulator | undefined;

  async function start(scenario: Scenario): Promise<PrunePolicyOptions> {
    emulator = await startEmulator({ scenario: { snapshots: SNAPSHOTS, ...scenario } });
    return {
      ecs: connectEcs(emulator),
      logger: createLogger({ level: 'silent' }),
      instanceId: INSTANCE_ID,
      policy: 'nightly',
      rules: { keepLast: 2 },
      timezone: 'Asia/Shanghai',
    };
  }

  function deleteRequests(): string[] {
    const requests = emulator?.control.requests({ action: 'DeleteSnapshot' }) ?? [];
    return requests.map((request) => request.params.SnapshotId ?? '').sort();
  }

  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  it('deletes what the rules select and keeps snapshots of a released disk', async () => {
    const options = await start({});

    const report = await prunePolicy(options);

    expect(report.status).toBe('executed');
    expect(report.status === 'executed' ? report.summary.deleted : undefined).toBe(2);
    expect(deleteRequests()).toEqual(['s-data3', 's-data4']);
    const remaining = emulator?.control.snapshots().map((snapshot) => snapshot.snapshotId);
    expect(remaining?.sort()).toEqual(['s-data1', 's-data2', 's-released1', 's-released2']);
  });

  it('plans without deleting when dryRun is set', async () => {
    const options = await start({});

    const report = await prunePolicy({ ...options, dryRun: true });
    const plan = report.status === 'planned' ? report.plan : undefined;

    expect(report.status).toBe('planned');
    expect(plan?.entries.filter((entry) => entry.action === 'delete')).toHaveLength(2);
    expect(plan?.entries.find((entry) => entry.snapshotId === 's-released2')?.reasons).toEqual([
      'source disk gone',
    ]);
    expect(deleteRequests()).toEqual([]);
  });

  it('skips the prune when a required snapshot is not listed', async () => {
    const options = await start({});

    const report = await prunePolicy({ ...options, requiredSnapshotIds: ['s-justcreated'] });

    expect(report).toEqual({
      status: 'skipped',
      reason: 'the listing lacks required snapshot s-justcreated',
    });
    expect(deleteRequests()).toEqual([]);
  });

  it.each(['DescribeDisks', 'DescribeSnapshots'])(
    'skips the prune when %s fails',
    async (action) => {
      const options = await start({
        faults: { errors: [{ action, code: 'InternalError', httpStatus: 500, count: 1 }] },
      });

      const report = await prunePolicy(options);

      expect(report.status).toBe('skipped');
      expect(report.status === 'skipped' ? report.reason : '').toContain(
        `${action} failed with InternalError`,
      );
      expect(deleteRequests()).toEqual([]);
    },
  );
});
