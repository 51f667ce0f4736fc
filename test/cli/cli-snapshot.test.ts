import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, startTestDaemon, type TestDaemon } from '../socket/test-daemon.js';
import { waitUntil } from '../support/wait.js';
import { CLI, exitCodeOf, runCli } from './run-cli.js';

const ESC = String.fromCharCode(0x1b);

/** Runs the CLI under `script`, which gives it a pseudo-terminal as stdout. */
function runOnTerminal(args: string[]): Promise<{ code: number; output: string }> {
  const command = [process.execPath, CLI, ...args].map((part) => `'${part}'`).join(' ');
  return new Promise((done) => {
    execFile('script', ['-qec', command, '/dev/null'], { timeout: 60_000 }, (error, stdout) => {
      done({ code: exitCodeOf(error), output: stdout });
    });
  });
}

/** Waits until the daemon has no run in flight, since a new trigger would join one. */
async function waitForNoRunInFlight(daemon: TestDaemon): Promise<void> {
  await waitUntil(
    async () => {
      const { body } = await getJson<{ inFlight: unknown[] }>(daemon.socketPath, '/v1/status');
      return body.inFlight.length === 0 ? true : undefined;
    },
    20_000,
    'the earlier runs to finish',
  );
}

describe('selfsnap snapshot', () => {
  let daemon: TestDaemon;

  beforeAll(async () => {
    daemon = await startTestDaemon({
      // Tests use policies of their own, so that a run one test leaves going is not joined by the next.
      policies: {
        alpha: { disks: 'all' },
        beta: { disks: 'data' },
        gamma: { disks: 'all' },
        delta: { disks: 'data' },
        failing: { disks: 'data' },
      },
      scenario: { settings: { snapshotDuration: '3s' } },
    });
  });

  afterAll(async () => {
    await daemon.stop();
  });

  it('prints plain progress lines when stdout is not a terminal', async () => {
    const result = await runCli([
      'snapshot',
      '--socket',
      daemon.socketPath,
      '--policy',
      'alpha',
      '--reason',
      'plain lines',
      '--wait',
      'accomplished',
    ]);
    const lines = result.stdout.trim().split('\n');

    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).not.toContain('\x1b[');
    expect(lines[0]).toMatch(/^run \S+ {2}policy alpha$/);
    expect(lines.some((line) => /^d-\S+ s-\S+ progressing \d+%/.test(line))).toBe(true);
    expect(lines.some((line) => /^d-\S+ s-\S+ progressing \d+% available$/.test(line))).toBe(true);
    expect(
      lines.filter((line) => /^d-\S+ s-\S+ accomplished 100% available$/.test(line)),
    ).toHaveLength(3);
    expect(lines.at(-1)).toMatch(/^run \S+ succeeded \(done\)$/);
  });

  it('redraws the per-disk table in place on a terminal', async () => {
    const result = await runOnTerminal([
      'snapshot',
      '--socket',
      daemon.socketPath,
      '--policy',
      'beta',
      '--wait',
      'accomplished',
    ]);

    expect(result.code).toBe(0);
    // The redraw moves the cursor up over the last table (CSI n F) and clears below it (CSI J).
    expect(result.output).toMatch(new RegExp(`${ESC}\\[\\d+F${ESC}\\[J`));
    expect(result.output).toContain('PROGRESS');
    expect(result.output).toContain('AVAILABLE');
    expect(result.output).toMatch(/succeeded \(done\)/);
  });

  it('prints the run and the timeout flag for --json', async () => {
    const result = await runCli([
      'snapshot',
      '--socket',
      daemon.socketPath,
      '--policy',
      'gamma',
      '--json',
      '--wait',
      'available',
    ]);
    const body = JSON.parse(result.stdout) as {
      run: { status: string; disks: { available?: boolean }[] };
      timedOut: boolean;
    };

    expect(result.code).toBe(0);
    expect(body.timedOut).toBe(false);
    expect(body.run.disks.every((disk) => disk.available === true)).toBe(true);
  });

  it('exits 6 with one line on stderr when the wait times out', async () => {
    await waitForNoRunInFlight(daemon);
    const result = await runCli([
      'snapshot',
      '--socket',
      daemon.socketPath,
      '--policy',
      'delta',
      '--wait',
      'accomplished',
      '--timeout',
      '100ms',
    ]);

    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(
      /^selfsnap: run \S+ did not reach "accomplished" in time; it goes on in the daemon\n$/,
    );
  });

  it('exits 5 when every disk fails', async () => {
    await waitForNoRunInFlight(daemon);
    for (const diskId of ['d-bp1selfsnap0dat00001', 'd-bp1selfsnap0dat00002']) {
      daemon.emulator.control.failSnapshots({ diskId, count: 1 });
    }

    const result = await runCli([
      'snapshot',
      '--socket',
      daemon.socketPath,
      '--policy',
      'failing',
      '--wait',
      'accomplished',
      '--timeout',
      '30s',
    ]);

    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/^selfsnap: run \S+ failed: .+\n$/);
  });

  it.each([
    [['--policy', 'omega'], 2, 'no policy named "omega"'],
    [['--timeout', 'soon'], 2, 'invalid --timeout "soon"'],
  ])('exits %j with one line on stderr and no usage text', async (args, code, message) => {
    const result = await runCli(['snapshot', '--socket', daemon.socketPath, ...args]);

    expect(result.code).toBe(code);
    expect(result.stderr).toBe(`selfsnap: ${result.stderr.slice(10, -1)}\n`);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain('Options:');
  });
});

describe('selfsnap snapshot --wait accepted', () => {
  let daemon: TestDaemon;
  const DATA_DISKS = ['d-bp1selfsnap0dat00001', 'd-bp1selfsnap0dat00002'];

  beforeAll(async () => {
    daemon = await startTestDaemon({
      policies: {
        rejected: { disks: 'data' },
        halfway: { disks: 'data' },
        first: { disks: 'data' },
        second: { disks: 'data' },
      },
      scenario: { settings: { snapshotDuration: '1s' } },
    });
  });

  afterAll(async () => {
    await daemon.stop();
  });

  const snapshot = (policy: string) =>
    runCli(['snapshot', '--socket', daemon.socketPath, '--policy', policy, '--wait', 'accepted']);

  it('exits 5 when every create is rejected', async () => {
    daemon.emulator.control.injectError({
      action: 'CreateSnapshot',
      code: 'OperationDenied.NoStock',
      httpStatus: 403,
      count: DATA_DISKS.length,
    });

    const result = await snapshot('rejected');

    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/^selfsnap: run \S+ failed: no disk got a snapshot: .+\n$/);
  });

  it('exits 7 when one disk is skipped', async () => {
    daemon.emulator.control.injectError({
      action: 'CreateSnapshot',
      code: 'IncorrectDiskStatus',
      httpStatus: 403,
      diskId: DATA_DISKS[1],
      count: 1,
    });

    const result = await snapshot('halfway');

    expect(result.code).toBe(7);
    expect(result.stderr).toMatch(/^selfsnap: run \S+ is partial: .+\n$/);
  });

  it('says so when the trigger joins a run in flight', async () => {
    await waitForNoRunInFlight(daemon);
    const first = await runCli([
      'snapshot',
      '--socket',
      daemon.socketPath,
      '--policy',
      'first',
      '--reason',
      'nightly upgrade',
      '--wait',
      'none',
    ]);
    const firstId = /^run (\S+)/m.exec(first.stdout)?.[1];

    const result = await runCli([
      'snapshot',
      '--socket',
      daemon.socketPath,
      '--policy',
      'second',
      '--reason',
      'before deploy',
    ]);

    expect(first.code).toBe(0);
    expect(firstId).toBeDefined();
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      `selfsnap: joined run ${firstId} (policy first, reason "nightly upgrade"), which already ` +
        'covers these disks; your policy and reason are not recorded\n',
    );
  });
});
