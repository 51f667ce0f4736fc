import { describe, expect, it } from 'vitest';
import { SelfsnapMetrics } from '../../src/metrics/index.js';
import type { RunRecord } from '../../src/snapshot/index.js';
import { parseSamples, sampleValue } from './parse-metrics.js';

const FINISHED_AT = '2026-12-04T03:00:40.000Z';

function finishedRun(overrides: Partial<RunRecord> & Record<string, unknown> = {}): RunRecord {
  return {
    id: 'run-1',
    policy: 'nightly',
    trigger: 'schedule',
    instanceId: 'i-1',
    snapshotName: 'selfsnap-nightly-20261204T030000Z',
    phase: 'done',
    status: 'succeeded',
    startedAt: '2026-12-04T03:00:00.000Z',
    finishedAt: FINISHED_AT,
    disks: [
      {
        diskId: 'd-sys',
        diskType: 'system',
        clientToken: 't1',
        status: 'accomplished',
        snapshotId: 's-1',
        finishedAt: FINISHED_AT,
      },
      {
        diskId: 'd-data',
        diskType: 'data',
        clientToken: 't2',
        status: 'failed',
        error: { code: 'ECS_REQUEST_FAILED', message: 'x' },
      },
    ],
    ...overrides,
  } as RunRecord;
}

function newMetrics(expiration?: string) {
  return new SelfsnapMetrics({
    credentialsExpiration: () => expiration,
    runsInFlight: () => 2,
    ready: () => true,
  });
}

async function samplesOf(metrics: SelfsnapMetrics) {
  return parseSamples((await metrics.render()).body);
}

describe('SelfsnapMetrics', () => {
  it('counts a finished run once by policy, trigger and result', async () => {
    const metrics = newMetrics();
    const run = finishedRun({ status: 'partial' });

    expect(metrics.recordRun(run)).toBe(true);
    expect(metrics.recordRun(run)).toBe(false);
    expect(metrics.recordRun(finishedRun({ id: 'run-2', status: 'running' }))).toBe(false);

    const samples = await samplesOf(metrics);
    const labels = { policy: 'nightly', trigger: 'schedule', result: 'partial' };
    expect(sampleValue(samples, 'selfsnap_runs_total', labels)).toBe(1);
    expect(sampleValue(samples, 'selfsnap_snapshots_created_total', { policy: 'nightly' })).toBe(1);
    expect(sampleValue(samples, 'selfsnap_run_duration_seconds_sum', { policy: 'nightly' })).toBe(
      40,
    );
  });

  it('sets last-success times per policy and per accomplished disk', async () => {
    const metrics = newMetrics();
    metrics.recordRun(finishedRun());

    const samples = await samplesOf(metrics);
    const at = Date.parse(FINISHED_AT) / 1000;
    expect(
      sampleValue(samples, 'selfsnap_last_success_timestamp_seconds', { policy: 'nightly' }),
    ).toBe(at);
    expect(
      sampleValue(samples, 'selfsnap_disk_last_success_timestamp_seconds', { disk_id: 'd-sys' }),
    ).toBe(at);
    expect(
      sampleValue(samples, 'selfsnap_disk_last_success_timestamp_seconds', { disk_id: 'd-data' }),
    ).toBeUndefined();
  });

  it('leaves the policy last-success time unset when the run is partial', async () => {
    const metrics = newMetrics();
    metrics.recordRun(finishedRun({ status: 'partial' }));

    const samples = await samplesOf(metrics);
    expect(sampleValue(samples, 'selfsnap_last_success_timestamp_seconds')).toBeUndefined();
  });

  it('observes the freeze window and hook durations a run records', async () => {
    const metrics = newMetrics();
    metrics.recordRun(
      finishedRun({
        freezeWindowMs: 1500,
        hooks: {
          pre: { durationMs: 250, exitCode: 0, timedOut: false },
          post: { durationMs: 2000, exitCode: 0, timedOut: false },
        },
      }),
    );

    const samples = await samplesOf(metrics);
    expect(sampleValue(samples, 'selfsnap_freeze_window_seconds_sum', { policy: 'nightly' })).toBe(
      1.5,
    );
    expect(sampleValue(samples, 'selfsnap_hook_duration_seconds_sum', { hook: 'pre' })).toBe(0.25);
    expect(sampleValue(samples, 'selfsnap_hook_duration_seconds_sum', { hook: 'post' })).toBe(2);
  });

  it('counts API calls, errors by code and throttled calls', async () => {
    const metrics = newMetrics();
    metrics.recordApiCall({ action: 'CreateSnapshot', durationMs: 120 });
    metrics.recordApiCall({ action: 'CreateSnapshot', durationMs: 30, ecsCode: 'Throttling.User' });
    metrics.recordApiCall({
      action: 'DescribeSnapshots',
      durationMs: 3000,
      errorCode: 'ECS_REQUEST_FAILED',
    });

    const samples = await samplesOf(metrics);
    expect(sampleValue(samples, 'selfsnap_ecs_api_calls_total', { action: 'CreateSnapshot' })).toBe(
      2,
    );
    expect(
      sampleValue(samples, 'selfsnap_ecs_api_errors_total', {
        action: 'CreateSnapshot',
        code: 'Throttling.User',
      }),
    ).toBe(1);
    expect(
      sampleValue(samples, 'selfsnap_ecs_api_errors_total', {
        action: 'DescribeSnapshots',
        code: 'ECS_REQUEST_FAILED',
      }),
    ).toBe(1);
    expect(
      sampleValue(samples, 'selfsnap_ecs_api_throttled_total', { action: 'CreateSnapshot' }),
    ).toBe(1);
    expect(
      sampleValue(samples, 'selfsnap_ecs_api_throttled_total', { action: 'DescribeSnapshots' }),
    ).toBeUndefined();
  });

  it('replaces the snapshot counts with each listing', async () => {
    const metrics = newMetrics();
    const snapshot = (policy: string, status: 'accomplished' | 'progressing') =>
      ({ status, tags: { 'selfsnap:policy': policy } }) as never;
    metrics.recordSnapshotListing([snapshot('a', 'accomplished'), snapshot('a', 'accomplished')]);
    metrics.recordSnapshotListing([snapshot('a', 'accomplished'), snapshot('b', 'progressing')]);

    const samples = await samplesOf(metrics);
    expect(
      sampleValue(samples, 'selfsnap_snapshots', { policy: 'a', status: 'accomplished' }),
    ).toBe(1);
    expect(sampleValue(samples, 'selfsnap_snapshots', { policy: 'b', status: 'progressing' })).toBe(
      1,
    );
  });

  it('reads credential expiry, runs in flight and readiness at scrape time', async () => {
    const samples = await samplesOf(newMetrics('2026-12-04T09:00:00Z'));

    expect(sampleValue(samples, 'selfsnap_credentials_expiry_timestamp_seconds')).toBe(
      Date.parse('2026-12-04T09:00:00Z') / 1000,
    );
    expect(sampleValue(samples, 'selfsnap_runs_in_flight')).toBe(2);
    expect(sampleValue(samples, 'selfsnap_ready')).toBe(1);
    expect(sampleValue(samples, 'selfsnap_build_info')).toBe(1);
  });

  it('exports 0 as the credential expiry before any credentials were obtained', async () => {
    const samples = await samplesOf(newMetrics(undefined));

    expect(sampleValue(samples, 'selfsnap_credentials_expiry_timestamp_seconds')).toBe(0);
  });

  it('restores last-success times from history without counting runs again', async () => {
    const metrics = newMetrics();
    metrics.seedFromHistory([finishedRun()]);

    const samples = await samplesOf(metrics);
    expect(
      sampleValue(samples, 'selfsnap_last_success_timestamp_seconds', { policy: 'nightly' }),
    ).toBe(Date.parse(FINISHED_AT) / 1000);
    expect(sampleValue(samples, 'selfsnap_runs_total')).toBeUndefined();
  });
});
