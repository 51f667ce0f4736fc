import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { fetchMetadataToken } from './sdk-client.js';

const MAIN = join(import.meta.dirname, 'main.ts');

/** Runs the emulator CLI with tsx loaded in-process, so signals reach it directly. */
function runCli(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function waitForLine(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((candidate) => pattern.test(candidate));
      if (line !== undefined) resolve(line);
    });
    child.once('exit', (code) =>
      reject(new Error(`exited with ${code} before printing ${pattern}`)),
    );
  });
}

function waitForExit(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

describe('emulator CLI', () => {
  let child: ChildProcess | undefined;
  let scenarioDir: string | undefined;

  afterEach(async () => {
    if (child !== undefined && child.exitCode === null) child.kill('SIGKILL');
    if (scenarioDir !== undefined) await rm(scenarioDir, { recursive: true, force: true });
  });

  it('prints ready with both addresses and stops cleanly on SIGTERM', async () => {
    child = runCli(['--imds', '127.0.0.1:0', '--ecs', '127.0.0.1:0']);
    const exited = waitForExit(child);
    const line = await waitForLine(child, /ready/);
    const imdsUrl = /imds=(\S+)/.exec(line)?.[1] ?? '';

    expect(line).toMatch(/imds=http:\/\/127\.0\.0\.1:\d+ ecs=http:\/\/127\.0\.0\.1:\d+/);
    expect(await fetchMetadataToken(imdsUrl, 60)).not.toBe('');
    child.kill('SIGTERM');
    expect((await exited).code).toBe(0);
  });

  it('stops cleanly on SIGINT', async () => {
    child = runCli(['--imds', '127.0.0.1:0', '--ecs', '127.0.0.1:0']);
    const exited = waitForExit(child);
    await waitForLine(child, /ready/);

    child.kill('SIGINT');

    expect((await exited).code).toBe(0);
  });

  it('serves the instance of a YAML scenario file', async () => {
    scenarioDir = await mkdtemp(join(tmpdir(), 'emulator-scenario-'));
    const path = join(scenarioDir, 'scenario.yaml');
    await writeFile(
      path,
      'instance:\n  instanceId: i-bp1fromscenario00001\n  httpTokens: optional\n',
    );
    child = runCli(['--imds', '127.0.0.1:0', '--ecs', '127.0.0.1:0', '--scenario', path]);
    const line = await waitForLine(child, /ready/);
    const imdsUrl = /imds=(\S+)/.exec(line)?.[1] ?? '';

    const response = await fetch(`${imdsUrl}/latest/meta-data/instance-id`);

    expect(await response.text()).toBe('i-bp1fromscenario00001');
  });

  it.each([
    ['an unknown flag', ['--imds', '127.0.0.1:0', '--ecs', '127.0.0.1:0', '--verbose']],
    ['a missing --ecs', ['--imds', '127.0.0.1:0']],
    ['a port out of range', ['--imds', '127.0.0.1:70000', '--ecs', '127.0.0.1:0']],
    ['an address without a port', ['--imds', '127.0.0.1', '--ecs', '127.0.0.1:0']],
    [
      'a missing scenario file',
      ['--imds', '127.0.0.1:0', '--ecs', '127.0.0.1:0', '--scenario', '/nonexistent.yaml'],
    ],
  ])('exits 2 with a one-line error on %s', async (_case, args) => {
    child = runCli(args);

    const { code, stderr } = await waitForExit(child);

    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^emulator: /);
  });
});
