import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_PATH } from '../../src/config/index.js';
import { DEFAULT_CONFIG_FILE } from '../../src/cli/command.js';
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

  /** Runs a command and returns its exit code and the module URLs it resolved. */
  async function importsOf(name: string, args: string[]) {
    const logFile = join(folder, `${name}.log`);
    const result = await runCli(args, {
      command: [process.execPath, '--import', RECORDER],
      env: { SELFSNAP_IMPORT_LOG: logFile },
    });
    const urls = (await readFile(logFile, 'utf8')).trim().split('\n');
    return { code: result.code, urls };
  }

  it.each([
    ['status', ['status']],
    ['snapshot', ['snapshot', '--wait', 'accepted']],
  ])('loads no @alicloud, prom-client or zod module for %s', async (name, args) => {
    const { code, urls } = await importsOf(name, [...args, '--socket', daemon.socketPath]);

    expect(code).toBe(0);
    expect(urls.some((url) => url.includes('/dist/socket/socket-client.js'))).toBe(true);
    expect(urls.filter((url) => /@alicloud|prom-client|\/zod\/|node-cron/.test(url))).toEqual([]);
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
