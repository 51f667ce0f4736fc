import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { buildStatus } from '../../src/daemon-status.js';
import { getJson, startTestDaemon, type TestDaemon } from '../socket/test-daemon.js';
import { runCli } from './run-cli.js';

type StatusBody = ReturnType<typeof buildStatus>;

// The daemon is ready once the instance is identified. Every ECS call is delayed by 20 s meanwhile.
describe('status before the first ECS call', () => {
  let daemon: TestDaemon;

  beforeAll(async () => {
    daemon = await startTestDaemon({
      policies: { nightly: { schedule: '0 3 * * *', timezone: 'UTC', disks: 'all' } },
      scenario: { faults: { latencies: [{ action: '*', latencyMs: 20_000 }] } },
    });
  });

  afterAll(async () => {
    await daemon.stop();
  });

  it('reports API reachability as unknown', async () => {
    const { body } = await getJson<StatusBody>(daemon.socketPath, '/v1/status');

    expect(body.ready).toBe(true);
    expect(body.health.api.reachable).toBeNull();
    expect(body.health.api.lastCallAt).toBeUndefined();
  });

  it('prints api not called yet', async () => {
    const result = await runCli(['status', '--socket', daemon.socketPath]);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ {2}api not called yet$/m);
  });
});
