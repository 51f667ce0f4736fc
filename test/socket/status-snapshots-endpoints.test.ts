import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { buildStatus } from '../../src/daemon-status.js';
import type { SnapshotView } from '../../src/socket/index.js';
import {
  getJson,
  postJson,
  requestSocket,
  startTestDaemon,
  type TestDaemon,
} from './test-daemon.js';

type StatusBody = ReturnType<typeof buildStatus>;
const INSTANCE = 'i-bp1selfsnap0emu0001';
const DATA_DISK = 'd-bp1selfsnap0dat00001';
// More than one page of 100, so the listing must follow NextToken.
const SEEDED_OWN = 130;

function seededSnapshots() {
  const own = Array.from({ length: SEEDED_OWN }, (_, index) => ({
    diskId: DATA_DISK,
    name: `selfsnap-nightly-seed${index}`,
    description: index === 0 ? 'selfsnap hook: before apt upgrade' : 'selfsnap schedule',
    createdAgo: `${index + 1}h`,
    tags: {
      'selfsnap:instance': INSTANCE,
      'selfsnap:policy': 'nightly',
      'selfsnap:trigger': index === 0 ? 'hook' : 'schedule',
      ...(index === 1 ? { 'selfsnap:pin': 'keep' } : {}),
    },
  }));
  // A snapshot of a disk since detached: it no longer matches an InstanceId filter, but it is ours.
  own.push({
    diskId: DATA_DISK,
    name: 'selfsnap-nightly-detached',
    description: 'selfsnap schedule',
    createdAgo: '200h',
    instanceId: '',
    tags: {
      'selfsnap:instance': INSTANCE,
      'selfsnap:policy': 'nightly',
      'selfsnap:trigger': 'schedule',
    },
  } as (typeof own)[number]);
  const foreign = [
    { diskId: DATA_DISK, name: 'manual-by-operator', tags: {} },
    { diskId: DATA_DISK, name: 'other-agent', tags: { 'selfsnap:instance': 'i-someoneelse' } },
  ];
  return [...own, ...foreign];
}

describe('socket status endpoint', () => {
  let daemon: TestDaemon;

  beforeAll(async () => {
    daemon = await startTestDaemon({
      policies: { nightly: { schedule: '0 3 * * *', timezone: 'Asia/Shanghai', disks: 'all' } },
      scenario: { settings: { snapshotDuration: '1s' }, snapshots: seededSnapshots() },
    });
  });

  afterAll(async () => {
    await daemon.stop();
  });

  it('reports identity, version, uptime and policies when the daemon is ready', async () => {
    const { status, body } = await getJson<StatusBody>(daemon.socketPath, '/v1/status');

    expect(status).toBe(200);
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.ready).toBe(true);
    expect(body.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect(body.identity).toMatchObject({ instanceId: INSTANCE, regionId: 'cn-hangzhou' });
    expect(body.policies).toHaveLength(1);
    expect(body.policies[0]).toMatchObject({ name: 'nightly', schedule: '0 3 * * *' });
    expect(Date.parse(body.policies[0]?.nextRunAt ?? '')).toBeGreaterThan(Date.now());
    expect(body.inFlight).toEqual([]);
  });

  it('reports credential expiry and API health once the API was called', async () => {
    await postJson(daemon.socketPath, '/v1/runs', { wait: 'accomplished' });

    const { body } = await getJson<StatusBody>(daemon.socketPath, '/v1/status');

    expect(body.health.status).toBe('ok');
    expect(body.health.lastError).toBeNull();
    expect(body.health.metadata.ok).toBe(true);
    expect(body.health.credentials.ok).toBe(true);
    expect(body.health.credentials.expiresInSeconds).toBeGreaterThan(3600);
    expect(body.health.api.reachable).toBe(true);
    expect(body.policies[0]?.lastRun?.status).toBe('succeeded');
  });

  it('reports the API as failing with the ECS code after a rejected call', async () => {
    // Every create of the run's three disks is refused, so no snapshot is polled. The daemon
    // lists snapshots after every finished run, so that listing is refused too: otherwise its
    // success could make the API healthy again before the status is read.
    for (const [action, count] of [
      ['CreateSnapshot', 3],
      ['DescribeSnapshots', 1],
    ] as const) {
      daemon.emulator.control.injectError({
        action,
        code: 'Forbidden.RAM',
        httpStatus: 403,
        count,
      });
    }
    await postJson(daemon.socketPath, '/v1/runs', { wait: 'accomplished' });

    const { body } = await getJson<StatusBody>(daemon.socketPath, '/v1/status');

    expect(body.health.status).toBe('degraded');
    expect(body.health.api.reachable).toBe(false);
    expect(body.health.lastError).toMatch(/^(CreateSnapshot|DescribeSnapshots): Forbidden\.RAM$/);
  });

  it('rejects query parameters on /v1/status with 400', async () => {
    const answer = await requestSocket(daemon.socketPath, 'GET', '/v1/status?verbose=1');

    expect(answer.status).toBe(400);
  });
});

describe('socket snapshots endpoint', () => {
  let daemon: TestDaemon;

  beforeAll(async () => {
    daemon = await startTestDaemon({
      policies: { nightly: { disks: 'all' } },
      scenario: { snapshots: seededSnapshots() },
    });
  });

  afterAll(async () => {
    await daemon.stop();
  });

  it("lists every page of this instance's selfsnap snapshots and nothing else", async () => {
    daemon.emulator.control.clearRequests();

    const { status, body } = await getJson<{ snapshots: SnapshotView[] }>(
      daemon.socketPath,
      '/v1/snapshots',
    );

    expect(status).toBe(200);
    expect(body.snapshots).toHaveLength(SEEDED_OWN + 1);
    const calls = daemon.emulator.control.requests({ action: 'DescribeSnapshots' });
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const call of calls) {
      expect(call.params['Tag.1.Key']).toBe('selfsnap:instance');
      expect(call.params['Tag.1.Value']).toBe(INSTANCE);
      expect(call.params).not.toHaveProperty('InstanceId');
    }
    expect(body.snapshots.map((snapshot) => snapshot.snapshotName)).toContain(
      'selfsnap-nightly-detached',
    );
  });

  it('shows policy, trigger, reason and pin of each snapshot', async () => {
    const { body } = await getJson<{ snapshots: SnapshotView[] }>(
      daemon.socketPath,
      '/v1/snapshots?policy=nightly',
    );
    const hook = body.snapshots.find((snapshot) => snapshot.trigger === 'hook');
    const pinned = body.snapshots.filter((snapshot) => snapshot.pinned);

    expect(hook).toMatchObject({
      diskId: DATA_DISK,
      policy: 'nightly',
      reason: 'before apt upgrade',
      status: 'accomplished',
    });
    expect(pinned).toHaveLength(1);
  });

  it('returns an empty list for a policy without snapshots', async () => {
    const { body } = await getJson<{ snapshots: SnapshotView[] }>(
      daemon.socketPath,
      '/v1/snapshots?policy=weekly',
    );

    expect(body.snapshots).toEqual([]);
  });

  it('answers 502 with the ECS code when the listing fails', async () => {
    daemon.emulator.control.injectError({
      action: 'DescribeSnapshots',
      code: 'Forbidden.RAM',
      httpStatus: 403,
      count: 1,
    });

    const answer = await requestSocket(daemon.socketPath, 'GET', '/v1/snapshots');
    const body = JSON.parse(answer.text) as { error: { code: string; ecsCode: string } };

    expect(answer.status).toBe(502);
    expect(body.error.code).toBe('ECS_FORBIDDEN');
    expect(body.error.ecsCode).toBe('Forbidden.RAM');
  });
});
