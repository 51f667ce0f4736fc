import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realSystemIt } from '../support/require-real-system.js';
import { startTestDaemon, type TestDaemon } from '../socket/test-daemon.js';
import { runCli } from './run-cli.js';

describe('CLI with the daemon down', () => {
  let folder: string;
  let socketPath: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'selfsnap-down-'));
    socketPath = join(folder, 'selfsnap.sock');
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it.each([
    [['status']],
    [['status', '--json']],
    [['list']],
    [['runs']],
    [['run', 'show', 'some-run']],
    [['snapshot', '--reason', 'deploy']],
    [['restore', '--reason', 'deploy']],
  ])('exits 3 with one line on stderr for %j', async (args) => {
    const result = await runCli([...args, '--socket', socketPath]);

    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `selfsnap: cannot reach the selfsnap daemon at ${socketPath} (ENOENT): is selfsnap.service running?\n`,
    );
  });

  it('prints the version alone when the daemon is down', async () => {
    const text = await runCli(['version', '--socket', socketPath]);
    const json = await runCli(['version', '--json', '--socket', socketPath]);

    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(JSON.parse(json.stdout)).toMatchObject({ daemon: null });
  });

  it('exits 2 with usage help for an unknown command', async () => {
    const result = await runCli(['frobnicate']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unknown argument: frobnicate');
  });
});

const isRoot = process.getuid?.() === 0;
const realIt = realSystemIt(isRoot ? undefined : 'running the CLI as another user needs root');

describe('CLI without access to the socket', () => {
  let daemon: TestDaemon | undefined;

  beforeAll(async () => {
    if (!isRoot) return;
    daemon = await startTestDaemon();
    await chmod(daemon.folder, 0o755);
  });

  afterAll(async () => {
    await daemon?.stop();
  });

  realIt('exits 4 with one line on stderr when the socket mode refuses the user', async () => {
    const socketPath = (daemon as TestDaemon).socketPath;

    const result = await runCli(['status', '--socket', socketPath], {
      command: ['runuser', '-u', 'nobody', '--', process.execPath],
    });

    expect(result.code).toBe(4);
    expect(result.stderr).toBe(
      `selfsnap: permission denied on ${socketPath}: run as root or as a member of the selfsnap group\n`,
    );
  });
});

describe('selfsnap daemon', () => {
  let daemon: TestDaemon;

  beforeAll(async () => {
    daemon = await startTestDaemon();
    await writeFile(daemon.configPath, daemon.configText);
  });

  afterAll(async () => {
    await daemon.stop();
  });

  it('exits 1 and says another daemon is running when the socket is live', async () => {
    const result = await runCli(['daemon', '--config', daemon.configPath]);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `selfsnap: another selfsnap daemon is serving ${daemon.socketPath}; stop it first\n`,
    );
  });

  it('exits 78 with the key path when the config is invalid', async () => {
    const badConfig = join(daemon.folder, 'bad.yaml');
    await writeFile(badConfig, 'policies:\n  nightly:\n    schedule: "61 3 * * *"\n');

    const result = await runCli(['daemon', '--config', badConfig]);

    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(
      /^selfsnap: .*bad\.yaml: policies\.nightly\.schedule: invalid cron expression/,
    );
  });
});

describe('CLI with the daemon not ready', () => {
  let daemon: TestDaemon;

  beforeAll(async () => {
    daemon = await startTestDaemon({ waitReady: false, scenario: { faults: { imdsHang: true } } });
  });

  afterAll(async () => {
    await daemon.stop();
  });

  it('exits 8 from status while the instance is not identified', async () => {
    const result = await runCli(['status', '--socket', daemon.socketPath]);

    expect(result.code).toBe(8);
    expect(result.stdout).toContain('instance unknown (metadata service not reached yet)');
  });

  it('exits 8 from snapshot after waiting 30 s for the instance', async () => {
    const started = Date.now();
    const result = await runCli(['snapshot', '--socket', daemon.socketPath]);

    expect(result.code).toBe(8);
    expect(result.stderr).toMatch(/^selfsnap: daemon is not ready: .+\n$/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(29_000);
  }, 60_000);
});
