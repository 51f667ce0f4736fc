import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startTestDaemon, type TestDaemon } from '../socket/test-daemon.js';

describe('daemon log lines', () => {
  let daemon: TestDaemon;

  beforeAll(async () => {
    daemon = await startTestDaemon({
      logLevel: 'debug',
      policies: { nightly: { disks: 'all', retention: { keepLast: 1 } } },
      scenario: { settings: { snapshotDuration: '1s' } },
    });
    await postJson(daemon.socketPath, '/v1/runs', { wait: 'accomplished', timeoutMs: 30_000 });
  });

  afterAll(async () => {
    await daemon.stop();
  });

  it('name their component exactly once', () => {
    expect(daemon.logLines.length).toBeGreaterThan(10);
    for (const line of daemon.logLines) {
      expect(line.match(/"component":/g) ?? [], line).toHaveLength(1);
    }
  });
});
