import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../socket/test-daemon.js';
import { runCli } from './run-cli.js';

describe('CLI usage errors', () => {
  let daemon: TestDaemon;

  beforeAll(async () => {
    daemon = await startTestDaemon({
      policies: { nightly: { disks: 'all', retention: { keepLast: 1 } } },
      scenario: {
        snapshots: [1, 2, 3].map((hours) => ({
          diskId: 'd-bp1selfsnap0dat00001',
          createdAgo: `${hours}h`,
          tags: { 'selfsnap:instance': 'i-bp1selfsnap0emu0001', 'selfsnap:policy': 'nightly' },
        })),
      },
    });
  });

  afterAll(async () => {
    await daemon.stop();
  });

  it.each([
    ['a misspelled flag on prune', ['prune', '--dryrun'], 'Unknown argument: dryrun'],
    [
      'a misspelled flag on snapshot',
      ['snapshot', '--polcy', 'nightly'],
      'Unknown argument: polcy',
    ],
    [
      'a wait mode outside the choices',
      ['snapshot', '--wait', 'soon'],
      'Argument: wait, Given: "soon"',
    ],
    ['a missing run id', ['run', 'show'], 'Not enough non-option arguments'],
    [
      'a repeated option',
      ['snapshot', '--policy', 'nightly', '--policy', 'nightly'],
      '--policy was given more than once',
    ],
    [
      'a repeated socket',
      ['status', '--socket', '/run/selfsnap/other.sock'],
      '--socket was given more than once',
    ],
    [
      'a repeated date',
      ['restore', '--before', '2h', '--before', '3h'],
      '--before was given more than once',
    ],
    [
      'a repeated wait mode',
      ['snapshot', '--wait', 'accepted', '--wait', 'none'],
      '--wait was given more than once',
    ],
  ])('exits 2 and does nothing for %s', async (_case, args, message) => {
    daemon.emulator.control.clearRequests();

    const result = await runCli([...args, '--socket', daemon.socketPath]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.startsWith('selfsnap: ')).toBe(true);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('Run "selfsnap --help" for usage.');
    const actions = daemon.emulator.control.requests().map((request) => request.action);
    expect(actions).not.toContain('CreateSnapshot');
    expect(actions).not.toContain('DeleteSnapshot');
    expect(daemon.daemon.listRuns({ limit: 10 })).toEqual([]);
  });
});
