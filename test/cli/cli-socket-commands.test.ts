import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startTestDaemon, type TestDaemon } from '../socket/test-daemon.js';
import { runCli } from './run-cli.js';

const INSTANCE = 'i-bp1selfsnap0emu0001';
const DATA_DISK = 'd-bp1selfsnap0dat00001';

describe('CLI commands on the socket', () => {
  let daemon: TestDaemon;
  let runId: string;
  const cli = (...args: string[]) => runCli([...args, '--socket', daemon.socketPath]);

  beforeAll(async () => {
    daemon = await startTestDaemon({
      policies: { nightly: { schedule: '0 3 * * *', timezone: 'UTC', disks: 'all' } },
      scenario: {
        settings: { snapshotDuration: '1s' },
        snapshots: [
          {
            diskId: DATA_DISK,
            description: 'selfsnap hook: before apt upgrade',
            createdAgo: '3h',
            tags: {
              'selfsnap:instance': INSTANCE,
              'selfsnap:policy': 'nightly',
              'selfsnap:pin': '',
            },
          },
        ],
      },
    });
    const answer = await postJson<{ run: { id: string } }>(daemon.socketPath, '/v1/runs', {
      reason: 'first',
      wait: 'accomplished',
    });
    runId = answer.body.run.id;
  });

  afterAll(async () => {
    await daemon.stop();
  });

  it('prints identity, health and policies for status', async () => {
    const result = await cli('status');

    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`instance ${INSTANCE}  region cn-hangzhou`);
    expect(result.stdout).toMatch(
      /^health ok {2}up \d+s {2}metadata ok {2}credentials expire in .* {2}api ok$/m,
    );
    expect(result.stdout).toMatch(/^POLICY +SCHEDULE +LAST RUN +STARTED +NEXT RUN$/m);
    expect(result.stdout).toMatch(/^nightly +0 3 \* \* \* +succeeded +\S+ \S+ +\S+ 03:00:00Z$/m);
  });

  it('prints the status body for status --json', async () => {
    const result = await cli('status', '--json');
    const body = JSON.parse(result.stdout) as { identity: { instanceId: string }; ready: boolean };

    expect(result.code).toBe(0);
    expect(body.identity.instanceId).toBe(INSTANCE);
    expect(body.ready).toBe(true);
  });

  it('lists snapshots with disk, policy, status, age, trigger, pin and reason', async () => {
    const result = await cli('list', '--disk', DATA_DISK);
    const lines = result.stdout.trim().split('\n');

    expect(result.code).toBe(0);
    expect(lines[0]).toMatch(/^SNAPSHOT +DISK +POLICY +STATUS +AGE +TRIGGER +PIN +REASON$/);
    expect(lines).toHaveLength(3);
    const seeded = lines.find((line) => line.includes('before apt upgrade'));
    expect(seeded).toMatch(
      new RegExp(`${DATA_DISK} +nightly +accomplished +3h +- +yes +before apt upgrade`),
    );
    expect(lines.some((line) => / manual +first$/.test(line))).toBe(true);
  });

  it('prints the snapshot views for list --json', async () => {
    const result = await cli('list', '--json', '--policy', 'nightly');
    const body = JSON.parse(result.stdout) as { snapshots: { diskId: string; pinned: boolean }[] };

    expect(body.snapshots).toHaveLength(4);
    expect(body.snapshots.filter((snapshot) => snapshot.pinned)).toHaveLength(1);
  });

  it('lists runs and shows one run', async () => {
    const runs = await cli('runs', '--status', 'succeeded');
    const show = await cli('run', 'show', runId);

    expect(runs.code).toBe(0);
    expect(runs.stdout).toMatch(new RegExp(`^${runId} +nightly +manual +succeeded +3/3 `, 'm'));
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`run ${runId}  policy nightly  trigger manual  succeeded (done)`);
    expect(show.stdout).toContain('reason: first');
    expect(show.stdout).toMatch(/^DISK +TYPE +SNAPSHOT +STATUS +PROGRESS +AVAILABLE$/m);
  });

  it('prints the run view for run show --json', async () => {
    const result = await cli('run', 'show', runId, '--json');
    const body = JSON.parse(result.stdout) as { id: string; timings: { durationMs: number } };

    expect(body.id).toBe(runId);
    expect(body.timings.durationMs).toBeGreaterThan(0);
  });

  it('exits 9 with one line on stderr when the run does not exist', async () => {
    const result = await cli('run', 'show', 'no-such-run');

    expect(result.code).toBe(9);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('selfsnap: no run with id no-such-run\n');
  });

  it("prints its own and the daemon's version", async () => {
    const text = await cli('version');
    const json = await cli('version', '--json');

    expect(text.stdout).toMatch(/^\d+\.\d+\.\d+ \(daemon \d+\.\d+\.\d+\)\n$/);
    expect(JSON.parse(json.stdout)).toMatchObject({
      daemon: { version: expect.any(String) as unknown },
    });
  });

  it('prints restore steps for the newest snapshot with the reason', async () => {
    const result = await cli('restore', '--reason', 'apt upgrade');

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^${DATA_DISK} +data +s-\\S+ `, 'm'));
    expect(result.stdout).toContain(`aliyun ecs StopInstance --InstanceId ${INSTANCE}`);
    expect(result.stdout).toMatch(
      new RegExp(`aliyun ecs ResetDisk --DiskId ${DATA_DISK} --SnapshotId s-`),
    );
    expect(result.stdout).toContain(
      'aliyun ecs CreateDisk --RegionId cn-hangzhou --ZoneId cn-hangzhou-k',
    );
  });

  it('picks the newest snapshot per disk before a time for restore --before', async () => {
    const result = await cli('restore', '--before', '1h', '--json');
    const body = JSON.parse(result.stdout) as { snapshots: { diskId: string; reason: string }[] };

    expect(body.snapshots).toEqual([
      expect.objectContaining({ diskId: DATA_DISK, reason: 'before apt upgrade' }),
    ]);
  });

  it.each([
    [['restore', '--reason', 'no such reason'], 9, 'no accomplished snapshot matches'],
    [['restore', '--before', 'yesterday'], 2, 'invalid --before "yesterday"'],
    [['restore'], 2, 'name --before TIME or --reason TEXT'],
    [['restore', '--reason', 'apt', '--yes'], 2, 'performing a restore is not supported'],
  ])('exits with the documented code for %j', async (args, code, message) => {
    const result = await cli(...args);

    expect(result.code).toBe(code);
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(result.stderr).toContain(message);
  });

  it('prints a completion script', async () => {
    const result = await runCli(['completion']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--get-yargs-completions');
    expect(result.stdout).toContain('selfsnap');
  });
});
