import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_PATH } from '../../src/config/index.js';
import { DEFAULT_CONFIG_FILE } from '../../src/cli/command.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { VERSION } from '../../src/version.js';
import { startTestDaemon, type TestDaemon } from '../socket/test-daemon.js';
import { runCli } from './run-cli.js';

const RECORDER = resolve(import.meta.dirname, 'record-imports.mjs');

describe('CLI start-up cost', () => {
  let daemon: TestDaemon;
  let folder: string;

  beforeAll(async () => {
    daemon = await startTestDaemon({ scenario: { settings: { snapshotDuration: '1s' } } });
    folder = await mkdtemp(join(tmpdir(), 'selfsnap-imports-'));
  });

  afterAll(async () => {
    await daemon.stop();
    await rm(folder, { recursive: true, force: true });
  });

  /** Runs a command and returns its exit code, its output and the module URLs it resolved. */
  async function importsOf(name: string, args: string[]) {
    const logFile = join(folder, `${name}.log`);
    const result = await runCli(args, {
      command: [process.execPath, '--import', RECORDER],
      env: { SELFSNAP_IMPORT_LOG: logFile },
    });
    const urls = (await readFile(logFile, 'utf8')).trim().split('\n');
    return { code: result.code, stdout: result.stdout, urls };
  }

  it.each([
    ['status', ['status'], EXIT.ok],
    ['snapshot', ['snapshot', '--wait', 'accepted'], EXIT.ok],
    ['runs', ['runs', '--limit=5', '--json'], EXIT.ok],
    ['run', ['run', 'show', 'r-unknown'], EXIT.notFound],
  ])('loads neither yargs nor the cloud SDK for %s', async (name, args, exitCode) => {
    const { code, urls } = await importsOf(name, [...args, '--socket', daemon.socketPath]);

    expect(code).toBe(exitCode);
    expect(urls.some((url) => url.includes('/dist/socket/socket-client.js'))).toBe(true);
    const heavy = /@alicloud|prom-client|\/zod\/|node-cron|\/node_modules\/yargs\//;
    expect(urls.filter((url) => heavy.test(url))).toEqual([]);
    expect(urls.filter((url) => url.includes('/dist/cli/') && url.endsWith('-command.js'))).toEqual(
      [expect.stringContaining(`/dist/cli/${name}-command.js`)],
    );
  });

  it('prints the version without loading yargs', async () => {
    const { code, stdout, urls } = await importsOf('version', ['--version']);

    expect(code).toBe(0);
    expect(stdout).toBe(`${VERSION}\n`);
    expect(urls.filter((url) => url.includes('/node_modules/yargs/'))).toEqual([]);
  });

  it('loads yargs and every command for help', async () => {
    const { code, stdout, urls } = await importsOf('help', ['snapshot', '--help']);

    expect(code).toBe(0);
    expect(stdout).toContain('--wait');
    expect(urls.some((url) => url.includes('/node_modules/yargs/'))).toBe(true);
    expect(urls.some((url) => url.includes('/dist/cli/hooks-command.js'))).toBe(true);
  });

  it('loads the cloud SDK for check, which needs it', async () => {
    const configPath = join(folder, 'config.yaml');
    await writeFile(configPath, daemon.configText);

    const { urls } = await importsOf('check', ['check', '--config', configPath]);

    expect(urls.some((url) => url.includes('@alicloud/openapi-core'))).toBe(true);
  });

  it('keeps the default config path equal to the config module', () => {
    expect(DEFAULT_CONFIG_FILE).toBe(DEFAULT_CONFIG_PATH);
  });
});
