import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startTestDaemon, type TestDaemon } from '../socket/test-daemon.js';

describe('daemon log lines', () => {
  let daemon: TestDaemon;
  const secrets: string[] = [];

  beforeAll(async () => {
    daemon = await startTestDaemon({
      logLevel: 'debug',
      policies: { alpha: { disks: 'all' } },
      scenario: { settings: { snapshotDuration: '1s' } },
    });
    await postJson(daemon.socketPath, '/v1/runs', { wait: 'accomplished', timeoutMs: 20_000 });
    // A rejected token makes the SDK error, with its request details, reach the log.
    // The creates, because runs plan from the disk listing made at start.
    daemon.emulator.control.injectError({
      action: 'CreateSnapshot',
      code: 'InvalidSecurityToken.Expired',
      httpStatus: 400,
      count: 30,
    });
    await postJson(daemon.socketPath, '/v1/runs', { wait: 'accomplished', timeoutMs: 20_000 });
    const issued = daemon.emulator.control.credentials();
    secrets.push(issued.accessKeySecret, issued.securityToken);
  });

  afterAll(async () => {
    await daemon.stop();
  });

  it('are JSON with the level, time, message and component', () => {
    expect(daemon.logLines.length).toBeGreaterThan(10);
    for (const line of daemon.logLines) {
      const record = JSON.parse(line) as Record<string, unknown>;
      expect(typeof record.level).toBe('number');
      expect(typeof record.time).toBe('string');
      expect(typeof record.msg).toBe('string');
      expect(typeof record.component).toBe('string');
    }
  });

  it('include per-call debug lines and the failed run', () => {
    const records = daemon.logLines.map((line) => JSON.parse(line) as Record<string, unknown>);

    expect(records.some((record) => record.msg === 'ecs call' && record.level === 20)).toBe(true);
    expect(records.some((record) => record.level === 50)).toBe(true);
  });

  it('never contain the access key secret or the security token', () => {
    expect(secrets.every((secret) => secret.length > 16)).toBe(true);
    const leaking = daemon.logLines.filter((line) =>
      secrets.some((secret) => line.includes(secret)),
    );

    expect(leaking).toEqual([]);
  });
});
