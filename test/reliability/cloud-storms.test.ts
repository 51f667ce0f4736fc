import { afterEach, describe, expect, it } from 'vitest';
import type { RunManager, RunRecord } from '../../src/snapshot/index.js';
import type { Scenario } from '../emulator/index.js';
import { EngineHarness, followEmulatorClock } from '../engine/engine-harness.js';
import { SEEDED_DISK_IDS } from './case-world.js';
import { checkInvariants } from './invariants.js';
import { printMatrixSummary } from './matrix-summary.js';

// One policy per disk and one for all of them, so concurrent triggers overlap and join.
const POLICIES = {
  system: { disks: [SEEDED_DISK_IDS[0]] },
  first: { disks: [SEEDED_DISK_IDS[1]] },
  second: { disks: [SEEDED_DISK_IDS[2]] },
  everything: { disks: 'all' },
};
// Emulated time runs 60 times faster, so a flow-control minute lasts a real second.
const CLOCK_SPEED = 60;

async function startHarness(scenario: Scenario) {
  return EngineHarness.start({
    scenario: { ...scenario, clock: { speed: CLOCK_SPEED } },
    policies: POLICIES,
    clock: followEmulatorClock,
    retry: { throttleJitterMs: 5000, processingDelayMs: 1000 },
  });
}

/**
 * Triggers `rounds` waves of one run per policy, each wave once the one before has ended, and
 * returns every run. In a wave the policy of all disks joins the runs of the single disks.
 */
async function triggerWaves(manager: RunManager, rounds: number): Promise<RunRecord[]> {
  const started: RunRecord[] = [];
  for (let round = 0; round < rounds; round++) {
    const wave = await Promise.all(
      Object.keys(POLICIES).map((policy) => manager.trigger({ policy, trigger: 'schedule' })),
    );
    started.push(...wave);
    await manager.drain();
  }
  const ids = [...new Set(started.map((run) => run.id))];
  return ids.map((id) => manager.getRun(id) as RunRecord);
}

describe('run manager in API storms', () => {
  printMatrixSummary('cloud: throttling and 5xx storms');
  let harness: EngineHarness | undefined;

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  async function invariants(active: EngineHarness) {
    const world = active.emulator;
    return checkInvariants({
      emulator: world,
      foreign: [],
      lines: active.logs.records.map((record) => JSON.stringify(record)),
      stateDir: active.config.stateDir,
    });
  }

  it('ends every run with one snapshot per disk when throttled hard', async () => {
    // Three calls per action and minute for three runs at a time, each polling every few seconds
    // for snapshots that take two minutes.
    harness = await startHarness({
      settings: { flowControlPerMinute: { '*': 3 }, snapshotDuration: '2m' },
    });
    const manager = await harness.createManager();

    const runs = await triggerWaves(manager, 3);

    expect(runs.length).toBeGreaterThanOrEqual(9);
    for (const run of runs) {
      if (run.status !== 'succeeded') expect(run.error?.code).toBe('ECS_THROTTLED');
    }
    expect(runs.filter((run) => run.status === 'succeeded').length).toBeGreaterThan(4);
    const throttled = harness.emulator.control
      .requests()
      .filter((request) => request.errorCode === 'Throttling.User');
    expect(throttled.length).toBeGreaterThan(10);
    expect(await invariants(harness)).toEqual([]);
  }, 90_000);

  it('ends every run once when a burst of 5xx hits every action', async () => {
    harness = await startHarness({});
    harness.emulator.control.injectError({
      action: '*',
      code: 'ServiceUnavailable',
      httpStatus: 503,
      count: 25,
    });
    const manager = await harness.createManager();

    const runs = await triggerWaves(manager, 3);

    for (const run of runs) expect(run.status).not.toBe('running');
    expect(runs.filter((run) => run.status === 'succeeded').length).toBeGreaterThan(0);
    const failed = harness.emulator.control.requests().filter((r) => r.httpStatus === 503);
    expect(failed).toHaveLength(25);
    expect(await invariants(harness)).toEqual([]);
  }, 90_000);
});
