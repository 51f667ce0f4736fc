import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { runCli } from './run-cli.js';

interface CheckJson {
  ok: boolean;
  checks: { name: string; ok: boolean; detail: string; fix?: string }[];
}

describe('selfsnap check', () => {
  let emulator: Emulator;
  let folder: string;

  /** Writes a config for the emulator and returns its path. */
  async function writeConfig(
    name: string,
    overrides: Record<string, unknown> = {},
  ): Promise<string> {
    const path = join(folder, `${name}.yaml`);
    const config = {
      metadata: { endpoint: emulator.imdsUrl },
      ecs: { endpoint: emulator.ecsEndpoint, protocol: 'http' },
      socket: { path: join(folder, 'unused.sock'), group: null },
      stateDir: join(folder, 'state'),
      policies: {
        nightly: { disks: 'all', retention: { keepLast: 7 } },
        data: { disks: ['d-bp1selfsnap0dat00001'] },
      },
      ...overrides,
    };
    await writeFile(path, stringify(config));
    return path;
  }

  beforeAll(async () => {
    emulator = await startEmulator();
    folder = await mkdtemp(join(tmpdir(), 'selfsnap-check-'));
  });

  afterAll(async () => {
    await emulator.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('passes every check and changes nothing when the role allows every action', async () => {
    emulator.control.clearRequests();
    const configPath = await writeConfig('good');

    const result = await runCli(['check', '--config', configPath]);
    const lines = result.stdout.trim().split('\n');

    expect(result.code).toBe(0);
    expect(lines[0]).toMatch(/^RESULT +CHECK +DETAIL$/);
    expect(lines.slice(1).map((line) => line.split(/ +/).slice(0, 2).join(' '))).toEqual([
      'ok config',
      'ok metadata',
      'ok credentials',
      'ok DescribeDisks',
      'ok DescribeSnapshots',
      'ok CreateSnapshot',
      'ok DeleteSnapshot',
      'ok policy',
      'ok policy',
    ]);
    const dryRuns = emulator.control
      .requests()
      .filter((request) => request.params.DryRun === 'true')
      .map((request) => request.action);
    expect(dryRuns.sort()).toEqual(['DescribeDisks', 'DescribeSnapshots']);
    expect(emulator.control.requests({ action: 'CreateSnapshot' })[0]?.errorCode).toBe(
      'InvalidSnapshotName.Malformed',
    );
    expect(emulator.control.snapshots()).toEqual([]);
  });

  it('names the missing permission and its fix when the role lacks CreateSnapshot', async () => {
    emulator.control.updateSettings({
      allowedActions: ['DescribeDisks', 'DescribeSnapshots', 'DeleteSnapshot'],
    });
    const configPath = await writeConfig('good');

    try {
      const result = await runCli(['check', '--config', configPath, '--json']);
      const body = JSON.parse(result.stdout) as CheckJson;
      const create = body.checks.find((check) => check.name === 'CreateSnapshot');

      expect(result.code).toBe(5);
      expect(body.ok).toBe(false);
      expect(create?.ok).toBe(false);
      expect(create?.detail).toContain('Forbidden.RAM');
      expect(create?.fix).toContain('allow ecs:CreateSnapshot');
      expect(body.checks.filter((check) => !check.ok)).toHaveLength(1);
    } finally {
      emulator.control.updateSettings({ allowedActions: undefined });
    }
  });

  it('exits 78 with the config check failed when the config is invalid', async () => {
    const configPath = join(folder, 'invalid.yaml');
    await writeFile(configPath, 'policies:\n  nightly:\n    disks: sometimes\n');

    const result = await runCli(['check', '--config', configPath]);

    expect(result.code).toBe(78);
    expect(result.stdout).toMatch(
      /^FAIL +config +.*policies\.nightly\.disks.*; fix: correct the key/m,
    );
    expect(result.stdout.trim().split('\n')).toHaveLength(2);
  });

  it('exits 5 with the metadata fix when the metadata service does not answer', async () => {
    const configPath = await writeConfig('no-metadata', {
      metadata: { endpoint: 'http://127.0.0.1:9', timeout: '200ms', retries: 0 },
    });

    const result = await runCli(['check', '--config', configPath]);

    expect(result.code).toBe(5);
    expect(result.stdout).toMatch(/^ok +config/m);
    expect(result.stdout).toMatch(
      /^FAIL +metadata +.*fix: make the metadata service reachable at http:\/\/127\.0\.0\.1:9/m,
    );
  });
});
