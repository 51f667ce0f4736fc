import { afterEach, describe, expect, it } from 'vitest';
import { EngineHarness } from '../engine/engine-harness.js';
import { snapshotsOfRun } from './case-world.js';
import { checkInvariants } from './invariants.js';

describe('snapshot group whose members cannot be tagged at once', () => {
  let harness: EngineHarness | undefined;

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('tags the members while waiting when TagResources fails at creation', async () => {
    harness = await EngineHarness.start({
      policies: { grouped: { disks: 'all', consistency: 'group' } },
      scenario: { settings: { snapshotDuration: '1s' } },
    });
    // More failures than the client retries, so the tagging at creation gives up.
    harness.emulator.control.injectError({
      action: 'TagResources',
      code: 'ServiceUnavailable',
      httpStatus: 503,
      count: 8,
    });
    const manager = await harness.createManager();

    const started = await manager.trigger({ policy: 'grouped', trigger: 'schedule' });
    const { run } = await manager.waitFor(started.id, 'accomplished', 20_000);

    expect(run.status).toBe('succeeded');
    const members = snapshotsOfRun(harness.emulator, run.id);
    expect(members).toHaveLength(3);
    const instanceTags = members.map(
      (snapshot) => snapshot.tags.find((tag) => tag.key === 'selfsnap:instance')?.value,
    );
    expect(instanceTags).toEqual(members.map(() => harness?.identity.instanceId));
    expect(harness.logs.find(/cannot tag/).length).toBeGreaterThan(0);
    const violations = await checkInvariants({
      emulator: harness.emulator,
      foreign: [],
      lines: harness.logs.records.map((record) => JSON.stringify(record)),
      stateDir: harness.config.stateDir,
    });
    expect(violations).toEqual([]);
  });
});
