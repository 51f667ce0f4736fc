import { describe, expect, it } from 'vitest';
import { SelfsnapMetrics } from '../../src/metrics/index.js';
import { parseSamples, sampleValue } from './parse-metrics.js';

const METRIC_NAMES = [
  'selfsnap_build_info',
  'selfsnap_runs_total',
  'selfsnap_run_duration_seconds',
  'selfsnap_last_success_timestamp_seconds',
  'selfsnap_disk_last_success_timestamp_seconds',
  'selfsnap_snapshots_created_total',
  'selfsnap_snapshots',
  'selfsnap_snapshots_listed_timestamp_seconds',
  'selfsnap_ecs_api_calls_total',
  'selfsnap_ecs_api_errors_total',
  'selfsnap_ecs_api_throttled_total',
  'selfsnap_ecs_api_call_duration_seconds',
  'selfsnap_freeze_window_seconds',
  'selfsnap_hook_duration_seconds',
  'selfsnap_credentials_expiry_timestamp_seconds',
  'selfsnap_runs_in_flight',
  'selfsnap_ready',
];

function newMetrics() {
  return new SelfsnapMetrics({
    credentialsExpiration: () => undefined,
    runsInFlight: () => 0,
    ready: () => false,
  });
}

function typeLines(text: string): string[] {
  return text.split('\n').filter((line) => line.startsWith('# TYPE '));
}

describe('SelfsnapMetrics first scrape', () => {
  it('renders every metric family when nothing was recorded', async () => {
    const { contentType, body } = await newMetrics().render();

    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const names = typeLines(body).map((line) => line.split(' ')[2]);
    expect(names).toEqual(METRIC_NAMES);
    expect(sampleValue(parseSamples(body), 'selfsnap_build_info')).toBe(1);
    expect(sampleValue(parseSamples(body), 'selfsnap_ready')).toBe(0);
  });

  it('renders the same text on a second scrape', async () => {
    const metrics = newMetrics();
    metrics.recordApiCall({ action: 'DescribeDisks', durationMs: 40 });

    const first = await metrics.render();
    const second = await metrics.render();

    expect(second.body).toBe(first.body);
  });

  it('keeps values recorded while scrapes are concurrent', async () => {
    const metrics = newMetrics();
    metrics.recordApiCall({ action: 'DescribeDisks', durationMs: 40 });
    const scrapes = [metrics.render(), metrics.render()];
    metrics.recordApiCall({ action: 'DescribeDisks', durationMs: 40 });

    const bodies = await Promise.all(scrapes);
    const after = await metrics.render();

    for (const { body } of bodies) {
      const calls = sampleValue(parseSamples(body), 'selfsnap_ecs_api_calls_total', {
        action: 'DescribeDisks',
      });
      expect(calls).toBe(2);
    }
    const calls = sampleValue(parseSamples(after.body), 'selfsnap_ecs_api_calls_total', {
      action: 'DescribeDisks',
    });
    expect(calls).toBe(2);
  });

  it('counts every value when more wait than the queue holds', async () => {
    const metrics = newMetrics();
    for (let call = 0; call < 2500; call++) {
      metrics.recordApiCall({ action: 'DescribeSnapshots', durationMs: 20 });
    }
    // The queue is handed to prom-client in the background once it is full.
    await new Promise((resolve) => setTimeout(resolve, 50));
    metrics.recordApiCall({ action: 'DescribeSnapshots', durationMs: 20, ecsCode: 'Throttling' });

    const samples = parseSamples((await metrics.render()).body);

    const labels = { action: 'DescribeSnapshots' };
    expect(sampleValue(samples, 'selfsnap_ecs_api_calls_total', labels)).toBe(2501);
    expect(sampleValue(samples, 'selfsnap_ecs_api_call_duration_seconds_count', labels)).toBe(2501);
    expect(sampleValue(samples, 'selfsnap_ecs_api_throttled_total', labels)).toBe(1);
  });

  it('counts a snapshot listing recorded before the first scrape', async () => {
    const metrics = newMetrics();
    const snapshot = { status: 'accomplished', tags: { 'selfsnap:policy': 'nightly' } } as never;
    const before = Date.now() / 1000;
    metrics.recordSnapshotListing([snapshot, snapshot, snapshot]);

    const samples = parseSamples((await metrics.render()).body);

    const labels = { policy: 'nightly', status: 'accomplished' };
    expect(sampleValue(samples, 'selfsnap_snapshots', labels)).toBe(3);
    const listedAt = sampleValue(samples, 'selfsnap_snapshots_listed_timestamp_seconds') ?? 0;
    expect(listedAt).toBeGreaterThanOrEqual(before);
  });
});
