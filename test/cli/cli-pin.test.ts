import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../socket/test-daemon.js';
import { runCli } from './run-cli.js';

const INSTANCE = 'i-bp1selfsnap0emu0001';
const DATA_DISK = 'd-bp1selfsnap0dat00001';

describe('selfsnap pin and unpin', () => {
  let daemon: TestDaemon;
  const cli = (...args: string[]) => runCli([...args, '--socket', daemon.socketPath]);

  beforeAll(async () => {
    daemon = await startTestDaemon({
      policies: { nightly: { disks: [DATA_DISK], retention: { keepLast: 1 } } },
      scenario: {
        snapshots: [
          {
            snapshotId: 's-own',
            diskId: DATA_DISK,
            tags: { 'selfsnap:instance': INSTANCE, 'selfsnap:policy': 'nightly' },
          },
          {
            snapshotId: 's-foreign',
            diskId: DATA_DISK,
            tags: { 'selfsnap:instance': 'i-bp1other0000000001' },
          },
        ],
      },
    });
  });

  afterAll(async () => {
    await daemon.stop();
  });

  function pinTagOf(snapshotId: string): string | undefined {
    const snapshot = daemon.emulator.control
      .snapshots()
      .find((candidate) => candidate.snapshotId === snapshotId);
    return snapshot?.tags.find((tag) => tag.key === 'selfsnap:pin')?.value;
  }

  it('pins with a reason, shows the pin in list, and unpins', async () => {
    const pinned = await cli('pin', 's-own', '--reason', 'before migration');
    const listed = await cli('list', '--disk', DATA_DISK);
    const tagWhilePinned = pinTagOf('s-own');
    const unpinned = await cli('unpin', 's-own');

    expect(pinned.code).toBe(0);
    expect(pinned.stdout).toBe('pinned s-own: before migration\n');
    expect(tagWhilePinned).toBe('before migration');
    expect(listed.stdout).toMatch(
      new RegExp(`^s-own +${DATA_DISK} +nightly +accomplished +\\S+ +- +yes`, 'm'),
    );
    expect(unpinned.code).toBe(0);
    expect(unpinned.stdout).toBe('unpinned s-own\n');
    expect(pinTagOf('s-own')).toBeUndefined();
  });

  it('prints the snapshot view for pin --json', async () => {
    const result = await cli('pin', 's-own', '--json');
    const answer = JSON.parse(result.stdout) as {
      snapshot: { snapshotId: string; pinned: boolean };
    };

    expect(result.code).toBe(0);
    expect(answer.snapshot).toMatchObject({ snapshotId: 's-own', pinned: true });
    await cli('unpin', 's-own');
  });

  it.each([
    [['pin', 's-foreign'], 2, `snapshot s-foreign is not selfsnap's own on ${INSTANCE}`],
    [['unpin', 's-foreign'], 2, `snapshot s-foreign is not selfsnap's own on ${INSTANCE}`],
    [['pin', 's-absent'], 9, 'no snapshot s-absent in this region'],
    [['pin', 'S_BAD/ID'], 2, 'invalid snapshot id "S_BAD/ID"'],
  ])('exits with the documented code for %j', async (args, code, message) => {
    const result = await cli(...args);

    expect(result.code).toBe(code);
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(result.stderr).toContain(message);
    expect(pinTagOf('s-foreign')).toBeUndefined();
  });
});
