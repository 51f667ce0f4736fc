import { afterEach, describe, expect, it } from 'vitest';
import { EngineHarness } from './engine-harness.js';

describe('run with short-lived STS credentials', () => {
  let harness: EngineHarness | undefined;

  afterEach(async () => {
    await harness?.close();
  });

  it('finishes a 3-minute wait when credentials expire every 30 seconds', async () => {
    // At 20x the emulated 3 minutes take 9 real seconds. The emulated clock also starts 280 s
    // ahead, so each Expiration looks more than 5 minutes away to selfsnap, which then keeps using
    // a set until the ECS API itself reports it expired.
    harness = await EngineHarness.start({
      scenario: {
        clock: { offset: 280_000, speed: 20 },
        settings: {
          snapshotDuration: '3m',
          credentialLifetime: '30s',
          credentialRotationMargin: '10s',
        },
      },
    });
    const manager = await harness.createManager({ pollIntervalMs: { initial: 300, max: 600 } });

    const started = await manager.trigger({ policy: 'manual', trigger: 'manual' });
    const { run, timedOut } = await manager.waitFor(started.id, 'accomplished', 40_000);

    expect(timedOut).toBe(false);
    expect(run.status).toBe('succeeded');
    expect(run.error).toBeUndefined();
    const requests = harness.emulator.control.requests();
    const expired = requests.filter(
      (request) => request.errorCode === 'InvalidSecurityToken.Expired',
    );
    expect(expired.length).toBeGreaterThan(0);
    for (const rejected of expired) {
      const retry = requests.find((request) => request.sequence > rejected.sequence);
      expect(retry?.action).toBe(rejected.action);
      expect(retry?.errorCode).toBeUndefined();
    }
    const keyIds = new Set(
      requests.map(
        (request) => /Credential=([^,]+)/.exec(request.headers.authorization ?? '')?.[1],
      ),
    );
    expect(keyIds.size).toBeGreaterThanOrEqual(4);
    const snapshots = harness.emulator.control.snapshots();
    expect(snapshots).toHaveLength(3);
    for (const snapshot of snapshots) expect(snapshot.status).toBe('accomplished');
  }, 60_000);
});
