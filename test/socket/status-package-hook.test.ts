import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HookOutcome } from '../../src/package-hooks/hook-outcome.js';
import { saveHookOutcome } from '../../src/package-hooks/hook-state.js';
import { getJson, startTestDaemon, type TestDaemon } from './test-daemon.js';

interface StatusBody {
  health: { status: string; lastError: string | null };
  packageHook: HookOutcome | null;
}

const FAILED_OPEN: HookOutcome = {
  result: 'failed-open',
  manager: 'apt',
  phase: 'pre',
  at: '2026-12-04T17:00:00.000Z',
  message:
    'WARNING: no restore point before this apt transaction: cannot reach the selfsnap daemon.',
  transaction: '3f9c0a1b2d4e',
};

describe('socket status endpoint with package hooks', () => {
  let daemon: TestDaemon;

  beforeAll(async () => {
    daemon = await startTestDaemon({});
  });

  afterAll(async () => {
    await daemon.stop();
  });

  it('reports no package hook outcome before any hook ran', async () => {
    const { body } = await getJson<StatusBody>(daemon.socketPath, '/v1/status');

    expect(body.packageHook).toBeNull();
    expect(body.health.status).toBe('ok');
  });

  it('degrades health with the warning when the last hook made no restore point', async () => {
    await saveHookOutcome(join(daemon.folder, 'state'), FAILED_OPEN);

    const { body } = await getJson<StatusBody>(daemon.socketPath, '/v1/status');

    expect(body.packageHook).toEqual(FAILED_OPEN);
    expect(body.health.status).toBe('degraded');
    expect(body.health.lastError).toBe(
      `apt hook at 2026-12-04T17:00:00.000Z: ${FAILED_OPEN.message}`,
    );
  });

  it('returns to ok once a later hook made its restore point', async () => {
    await saveHookOutcome(join(daemon.folder, 'state'), {
      ...FAILED_OPEN,
      result: 'created',
      message: 'restore point before this apt transaction: run r-1',
    });

    const { body } = await getJson<StatusBody>(daemon.socketPath, '/v1/status');

    expect(body.packageHook?.result).toBe('created');
    expect(body.health.status).toBe('ok');
    expect(body.health.lastError).toBeNull();
  });
});
