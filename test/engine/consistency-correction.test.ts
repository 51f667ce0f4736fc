import { afterEach, describe, expect, it } from 'vitest';
import type { RunHooks } from '../../src/snapshot/index.js';
import { EngineHarness } from './engine-harness.js';

const POLICIES = { frozen: { disks: 'data', consistency: 'filesystem', freeze: ['/data'] } };
const REASON = 'the watchdog thawed at the freeze deadline (10000 ms)';

function consistencyTags(harness: EngineHarness): string[] {
  return harness.emulator.control
    .snapshots()
    .map(
      (snapshot) => snapshot.tags.find((tag) => tag.key === 'selfsnap:consistency')?.value ?? '',
    );
}

/** Returns the value a request sent for a tag key, from its flattened `Tag.N.*` parameters. */
function sentTag(params: Record<string, string>, key: string): string | undefined {
  const name = Object.keys(params).find(
    (param) => /^Tag\.\d+\.Key$/.test(param) && params[param] === key,
  );
  return name === undefined ? undefined : params[name.replace(/Key$/, 'Value')];
}

describe('release step consistency correction', () => {
  let harness: EngineHarness | undefined;

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('rewrites the tag when release returns a correction', async () => {
    harness = await EngineHarness.start({
      policies: POLICIES,
      scenario: { settings: { snapshotDuration: '200ms' } },
    });
    const hooks: RunHooks = {
      quiesce: async () => 'filesystem',
      release: async () => ({ consistency: 'crash', reason: REASON }),
    };
    const manager = await harness.createManager({ hooks });

    const started = await manager.trigger({ policy: 'frozen', trigger: 'manual' });
    const { run } = await manager.waitFor(started.id, 'accomplished', 15_000);

    expect(run.status).toBe('succeeded');
    expect(run.consistency).toEqual({ requested: 'filesystem', applied: 'crash', reason: REASON });
    const creates = harness.emulator.control.requests({ action: 'CreateSnapshot' });
    expect(creates.map((request) => sentTag(request.params, 'selfsnap:consistency'))).toEqual([
      'filesystem',
      'filesystem',
    ]);
    const [tagCall, ...others] = harness.emulator.control.requests({ action: 'TagResources' });
    expect(others).toEqual([]);
    expect(tagCall?.params).toMatchObject({
      ResourceType: 'snapshot',
      'Tag.1.Key': 'selfsnap:consistency',
      'Tag.1.Value': 'crash',
    });
    expect(consistencyTags(harness)).toEqual(['crash', 'crash']);
    expect(harness.logs.find('consistency tag lowered')).toHaveLength(1);
  });

  it('keeps the tag when release returns nothing', async () => {
    harness = await EngineHarness.start({
      policies: POLICIES,
      scenario: { settings: { snapshotDuration: '200ms' } },
    });
    const manager = await harness.createManager({
      hooks: { quiesce: async () => 'filesystem', release: async () => undefined },
    });

    const started = await manager.trigger({ policy: 'frozen', trigger: 'manual' });
    const { run } = await manager.waitFor(started.id, 'accomplished', 15_000);

    expect(run.consistency).toEqual({ requested: 'filesystem', applied: 'filesystem' });
    expect(harness.emulator.control.requests({ action: 'TagResources' })).toEqual([]);
    expect(consistencyTags(harness)).toEqual(['filesystem', 'filesystem']);
  });

  it('records the failed rewrite when TagResources fails', async () => {
    harness = await EngineHarness.start({
      policies: POLICIES,
      scenario: {
        settings: {
          snapshotDuration: '200ms',
          allowedActions: ['DescribeDisks', 'CreateSnapshot', 'DescribeSnapshots'],
        },
      },
    });
    const manager = await harness.createManager({
      hooks: {
        quiesce: async () => 'filesystem',
        release: async () => ({ consistency: 'crash', reason: REASON }),
      },
    });

    const started = await manager.trigger({ policy: 'frozen', trigger: 'manual' });
    const { run } = await manager.waitFor(started.id, 'accomplished', 15_000);

    expect(run.consistency?.applied).toBe('crash');
    expect(run.consistency?.reason).toMatch(
      /^the watchdog thawed at the freeze deadline \(10000 ms\); rewriting the selfsnap:consistency tag failed \(.*Forbidden\.RAM.*\), so it still reads filesystem$/,
    );
    expect(harness.logs.find('cannot lower the consistency tag')).toHaveLength(1);
    expect(consistencyTags(harness)).toEqual(['filesystem', 'filesystem']);
  });
});
