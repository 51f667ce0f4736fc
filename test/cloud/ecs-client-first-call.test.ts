import { afterEach, describe, expect, it } from 'vitest';
import { EngineHarness } from '../engine/engine-harness.js';

describe('EcsClient first call', () => {
  let harness: EngineHarness | undefined;

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  function credentialReads(active: EngineHarness): number {
    return active.emulator.control
      .imdsRequests()
      .filter((request) => request.path.includes('ram/security-credentials/')).length;
  }

  it('reads no credentials before the first call', async () => {
    harness = await EngineHarness.start();

    expect(credentialReads(harness)).toBe(0);
    expect(harness.credentials.health()).toEqual({});
  });

  it('signs concurrent first calls with one credential set', async () => {
    harness = await EngineHarness.start();
    const instanceId = harness.identity.instanceId;

    const listings = await Promise.all([
      harness.ecs.describeInstanceDisks(instanceId),
      harness.ecs.describeInstanceDisks(instanceId),
      harness.ecs.describeSnapshots({ instanceId }),
    ]);

    expect(listings[0].length).toBeGreaterThan(0);
    expect(listings[1]).toEqual(listings[0]);
    const requests = harness.emulator.control.requests({});
    expect(requests.map((request) => request.errorCode)).toEqual([undefined, undefined, undefined]);
    // One role-name read and one credentials read, shared by the three calls.
    expect(credentialReads(harness)).toBe(2);
    const expiresAtMs = harness.emulator.control.credentials().expiresAtMs;
    const expiration = harness.credentials.health().expiration ?? '';
    // The RAM-role document gives Expiration in whole seconds.
    expect(Date.parse(expiration)).toBe(Math.floor(expiresAtMs / 1000) * 1000);
  });
});
