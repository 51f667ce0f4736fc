import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realSystemIt } from '../support/require-real-system.js';
import { waitUntil } from '../support/wait.js';
import {
  postJson,
  requestSocket,
  startTestDaemon,
  type TestDaemon,
} from '../socket/test-daemon.js';
import { parseSamples, sampleValue, type Sample } from './parse-metrics.js';

/** Runs `promtool check metrics` on the text; resolves to its exit code and output. */
function promtoolCheck(text: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(text);
  });
}

async function hasPromtool(): Promise<boolean> {
  return promtoolCheck('').then(
    () => true,
    () => false,
  );
}

const promtoolIt = realSystemIt(
  (await hasPromtool()) ? undefined : 'promtool is not installed (Debian package prometheus)',
);

describe('GET /metrics', () => {
  let daemon: TestDaemon;
  let text: string;
  let contentType: string | undefined;
  let samples: Sample[];

  beforeAll(async () => {
    daemon = await startTestDaemon({
      policies: { alpha: { disks: 'all' } },
      scenario: { settings: { snapshotDuration: '1s' } },
    });
    await postJson(daemon.socketPath, '/v1/runs', { wait: 'accomplished', timeoutMs: 20_000 });
    // The creates, because runs plan from the disk listing made at start.
    daemon.emulator.control.injectError({
      action: 'CreateSnapshot',
      code: 'Forbidden.RAM',
      httpStatus: 403,
      count: 3,
    });
    await postJson(daemon.socketPath, '/v1/runs', { wait: 'accomplished', timeoutMs: 20_000 });
    // The daemon lists the snapshots after each finished run, in the background.
    const answer = await waitUntil(
      async () => {
        const scraped = await requestSocket(daemon.socketPath, 'GET', '/metrics');
        const found = parseSamples(scraped.text);
        const listed = sampleValue(found, 'selfsnap_snapshots', {
          policy: 'alpha',
          status: 'accomplished',
        });
        return listed === 3 ? scraped : undefined;
      },
      10_000,
      'the snapshot listing in the metrics',
      100,
    );
    text = answer.text;
    contentType = answer.headers['content-type'] as string | undefined;
    samples = parseSamples(text);
  });

  afterAll(async () => {
    await daemon.stop();
  });

  it('answers in the Prometheus text format with selfsnap_ names', () => {
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const names = new Set(samples.map((sample) => sample.name));
    expect([...names].every((name) => name.startsWith('selfsnap_'))).toBe(true);
  });

  it('counts runs by policy and result', () => {
    const labels = { policy: 'alpha', trigger: 'manual' };
    expect(sampleValue(samples, 'selfsnap_runs_total', { ...labels, result: 'succeeded' })).toBe(1);
    expect(sampleValue(samples, 'selfsnap_runs_total', { ...labels, result: 'failed' })).toBe(1);
  });

  it('reports the last success per policy and per disk', () => {
    const now = Date.now() / 1000;
    const policy = sampleValue(samples, 'selfsnap_last_success_timestamp_seconds', {
      policy: 'alpha',
    });
    const disks = samples.filter(
      (sample) => sample.name === 'selfsnap_disk_last_success_timestamp_seconds',
    );

    expect(policy).toBeGreaterThan(now - 60);
    expect(disks.map((sample) => sample.labels.disk_id).sort()).toEqual([
      'd-bp1selfsnap0dat00001',
      'd-bp1selfsnap0dat00002',
      'd-bp1selfsnap0sys00001',
    ]);
  });

  it('counts created and listed snapshots', () => {
    expect(sampleValue(samples, 'selfsnap_snapshots_created_total', { policy: 'alpha' })).toBe(3);
    expect(
      sampleValue(samples, 'selfsnap_snapshots', { policy: 'alpha', status: 'accomplished' }),
    ).toBe(3);
  });

  it('counts API calls and errors by action and ECS code', () => {
    expect(sampleValue(samples, 'selfsnap_ecs_api_calls_total', { action: 'CreateSnapshot' })).toBe(
      6,
    );
    expect(
      sampleValue(samples, 'selfsnap_ecs_api_errors_total', {
        action: 'CreateSnapshot',
        code: 'Forbidden.RAM',
      }),
    ).toBe(3);
  });

  it('exports the credential expiry time', () => {
    const expiry = sampleValue(samples, 'selfsnap_credentials_expiry_timestamp_seconds');

    expect(expiry).toBeGreaterThan(Date.now() / 1000 + 3600);
  });

  promtoolIt('passes promtool check metrics', async () => {
    const result = await promtoolCheck(text);

    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });
});
