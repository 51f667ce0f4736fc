import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SnapshotView } from '../../src/socket/snapshot-view.js';
import { startTestDaemon, type TestDaemon } from '../socket/test-daemon.js';
import { runCli } from './run-cli.js';

const INSTANCE = 'i-bp1selfsnap0emu0001';
const DATA_DISK = 'd-bp1selfsnap0dat00001';
const TRANSACTION = '3f9c0a1b2d4e';

function hookSnapshot(phase: 'pre' | 'post', createdAgo: string, transaction: string) {
  return {
    diskId: DATA_DISK,
    description: `selfsnap hook: apt ${phase} ${transaction}: upgrade nginx 1.22 -> 1.24`,
    createdAgo,
    tags: {
      'selfsnap:instance': INSTANCE,
      'selfsnap:policy': 'nightly',
      'selfsnap:trigger': 'hook',
      'selfsnap:transaction': transaction,
    },
  };
}

describe('selfsnap list with package transactions', () => {
  let daemon: TestDaemon;
  const cli = (...args: string[]) => runCli([...args, '--socket', daemon.socketPath]);

  beforeAll(async () => {
    daemon = await startTestDaemon({
      policies: { nightly: { disks: 'all' } },
      scenario: {
        snapshots: [
          hookSnapshot('pre', '2h', TRANSACTION),
          hookSnapshot('post', '1h', TRANSACTION),
          hookSnapshot('pre', '5h', 'aaaabbbbcccc'),
        ],
      },
    });
  });

  afterAll(async () => {
    await daemon.stop();
  });

  it('shows hook snapshots as before and after the package change', async () => {
    const result = await cli('list');

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`after apt ${TRANSACTION}: upgrade nginx`);
    expect(result.stdout).toContain(`before apt ${TRANSACTION}: upgrade nginx`);
  });

  it('lists only the pair of one transaction with --transaction', async () => {
    const result = await cli('list', '--json', '--transaction', TRANSACTION);
    const { snapshots } = JSON.parse(result.stdout) as { snapshots: SnapshotView[] };

    expect(result.code).toBe(0);
    expect(snapshots).toHaveLength(2);
    expect(snapshots.map((snapshot) => snapshot.transaction)).toEqual([TRANSACTION, TRANSACTION]);
    expect(snapshots.map((snapshot) => snapshot.reason)).toEqual([
      `apt post ${TRANSACTION}: upgrade nginx 1.22 -> 1.24`,
      `apt pre ${TRANSACTION}: upgrade nginx 1.22 -> 1.24`,
    ]);
  });
});
