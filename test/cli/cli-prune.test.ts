import { afterEach, describe, expect, it } from 'vitest';
import type { Scenario } from '../emulator/index.js';
import { postJson, startTestDaemon, type TestDaemon } from '../socket/test-daemon.js';
import { runCli } from './run-cli.js';

const INSTANCE = 'i-bp1selfsnap0emu0001';
const DATA_DISK = 'd-bp1selfsnap0dat00001';
const OWN_TAGS = { 'selfsnap:instance': INSTANCE, 'selfsnap:policy': 'nightly' };
const SNAPSHOTS: Scenario['snapshots'] = [1, 2, 3, 4].map((days) => ({
  snapshotId: `s-day${days}`,
  diskId: DATA_DISK,
  createdAgo: `${days}d`,
  tags: OWN_TAGS,
}));
const POLICIES = {
  nightly: { disks: [DATA_DISK], retention: { keepLast: 2 } },
  adhoc: { disks: [DATA_DISK] },
};

describe('selfsnap prune', () => {
  let daemon: TestDaemon | undefined;

  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
  });

  async function start(scenario: Scenario = {}): Promise<TestDaemon> {
    daemon = await startTestDaemon({
      policies: POLICIES,
      scenario: { snapshots: SNAPSHOTS, ...scenario },
    });
    return daemon;
  }

  const cli = (active: TestDaemon, ...args: string[]) =>
    runCli([...args, '--socket', active.socketPath]);

  it('lists deletions and keeps with reasons for --dry-run', async () => {
    const active = await start();

    const result = await cli(active, 'prune', '--dry-run');
    const lines = result.stdout.trim().split('\n');

    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(lines[0]).toBe('policy nightly: would delete 2, keep 2 (dry run)');
    expect(lines[1]).toMatch(/^SNAPSHOT +DISK +CREATED +ACTION +REASON$/);
    expect(lines[2]).toMatch(new RegExp(`^s-day1 +${DATA_DISK} +\\S+ \\S+Z +keep +keepLast 2$`));
    expect(lines[5]).toMatch(/^s-day4 +\S+ +\S+ \S+Z +delete +not kept by keepLast 2$/);
    expect(lines.at(-1)).toBe('policy adhoc: skipped (the policy has no retention rules)');
    expect(active.emulator.control.requests({ action: 'DeleteSnapshot' })).toEqual([]);
  });

  it('prints one policy plan as JSON', async () => {
    const active = await start();

    const result = await cli(active, 'prune', '--dry-run', '--policy', 'nightly', '--json');
    const answer = JSON.parse(result.stdout) as {
      dryRun: boolean;
      policies: { policy: string; entries: { snapshotId: string; action: string }[] }[];
    };

    expect(result.code).toBe(0);
    expect(answer.dryRun).toBe(true);
    expect(answer.policies.map((policy) => policy.policy)).toEqual(['nightly']);
    expect(
      answer.policies[0]?.entries.map((entry) => `${entry.snapshotId} ${entry.action}`),
    ).toEqual(['s-day1 keep', 's-day2 keep', 's-day3 delete', 's-day4 delete']);
  });

  it('deletes and exits 0 when every deletion succeeds', async () => {
    const active = await start();

    const result = await cli(active, 'prune', '--policy', 'nightly');

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^policy nightly: deleted 2, kept 2$/m);
    expect(result.stdout).toMatch(/^s-day3 +.* deleted +not kept by keepLast 2$/m);
    const requests = active.emulator.control.requests({ action: 'DeleteSnapshot' });
    expect(requests.map((request) => request.params.SnapshotId).sort()).toEqual([
      's-day3',
      's-day4',
    ]);
  });

  it('exits 7 and names the code when a snapshot is undeletable', async () => {
    const active = await start({
      snapshots: SNAPSHOTS?.map((snapshot) =>
        snapshot.snapshotId === 's-day4' ? { ...snapshot, usage: 'image' } : snapshot,
      ),
    });

    const result = await cli(active, 'prune');

    expect(result.code).toBe(7);
    expect(result.stdout).toMatch(/^policy nightly: deleted 1, undeletable 1, kept 2$/m);
    expect(result.stdout).toMatch(/^s-day4 +.* undeletable: SnapshotCreatedImage +not kept/m);
    expect(result.stderr).toBe(
      'selfsnap: prune partial: 1 undeletable, 0 deferred to the next prune\n',
    );
  });

  it('exits 5 with one line on stderr when the listing fails', async () => {
    const active = await start({
      faults: {
        errors: [{ action: 'DescribeSnapshots', code: 'InvalidParameter', httpStatus: 400 }],
      },
    });

    const result = await cli(active, 'prune');

    expect(result.code).toBe(5);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(result.stderr).toMatch(/^selfsnap: .*InvalidParameter/);
    expect(active.emulator.control.requests({ action: 'DeleteSnapshot' })).toEqual([]);
  });

  it('shows what a run pruned in run show', async () => {
    const active = await start({ settings: { snapshotDuration: '300ms' } });
    const started = await postJson<{ run: { id: string } }>(active.socketPath, '/v1/runs', {
      policy: 'nightly',
      wait: 'accomplished',
      timeoutMs: 30_000,
    });

    const result = await cli(active, 'run', 'show', started.body.run.id);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^prune: deleted 3, kept 2$/m);
  });

  it('exits 2 when the policy does not exist', async () => {
    const active = await start();

    const result = await cli(active, 'prune', '--policy', 'hourly');

    expect(result.code).toBe(2);
    expect(result.stderr).toBe('selfsnap: no policy named "hourly" (defined: nightly, adhoc)\n');
  });
});
