import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunHooks, RunRecord } from '../../src/snapshot/index.js';
import { EngineHarness } from './engine-harness.js';

const FAST = { settings: { snapshotDuration: '200ms' } };

describe('RunManager journal writes', () => {
  let harness: EngineHarness | undefined;

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  async function readStored(active: EngineHarness, runId: string): Promise<RunRecord> {
    const path = join(active.config.stateDir, 'runs', `${runId}.json`);
    return JSON.parse(await readFile(path, 'utf8')) as RunRecord;
  }

  /** Returns the phase of every journal update of one run up to its acceptance, and its logs. */
  async function countUpdatesUntilAccepted(diskCount: number) {
    const disks = Array.from({ length: diskCount }, (_, index) => ({
      diskId: `d-bp1journal${String(index).padStart(6, '0')}`,
      type: index === 0 ? ('system' as const) : ('data' as const),
      category: 'cloud_essd',
      size: 40,
    }));
    const active = await EngineHarness.start({ scenario: { ...FAST, disks } });
    harness = active;
    const manager = await active.createManager();
    const phases: string[] = [];
    const stop = manager.subscribe((run) => {
      if (phases.at(-1) !== 'waiting') phases.push(run.phase);
    });

    const run = await manager.trigger({ policy: 'manual', trigger: 'hook' });
    await manager.waitFor(run.id, 'accomplished', 15_000);
    stop();
    const accepted = active.logs.find('snapshots accepted');
    await active.close();
    harness = undefined;
    return { phases, accepted };
  }

  it('writes 16 disks as often as one', async () => {
    const one = await countUpdatesUntilAccepted(1);
    const sixteen = await countUpdatesUntilAccepted(16);

    // Planned, every disk creating, then the snapshot ids with the acceptance.
    expect(one.phases).toEqual(['creating', 'creating', 'waiting']);
    expect(sixteen.phases).toEqual(one.phases);
  });

  it('logs the accepted snapshots of 16 disks in one line', async () => {
    const { accepted } = await countUpdatesUntilAccepted(16);

    expect(accepted).toHaveLength(1);
    const snapshotIds = accepted[0]?.snapshotIds as Record<string, string>;
    expect(Object.keys(snapshotIds)).toHaveLength(16);
    expect(Object.values(snapshotIds).every((id) => id.startsWith('s-'))).toBe(true);
  });

  it('releases before the snapshot ids are written when the policy freezes', async () => {
    const active = await EngineHarness.start({
      policies: { frozen: { disks: 'data', consistency: 'filesystem' } },
      scenario: FAST,
    });
    harness = active;
    const stored: RunRecord[] = [];
    const hooks: RunHooks = {
      quiesce: async () => 'filesystem',
      release: async (run) => {
        stored.push(await readStored(active, run.id));
        return undefined;
      },
    };
    const manager = await active.createManager({ hooks });

    const started = await manager.trigger({ policy: 'frozen', trigger: 'manual' });
    const { run } = await manager.waitFor(started.id, 'accepted', 15_000);

    // What the state folder held while the filesystems were still frozen.
    expect(stored).toHaveLength(1);
    expect(stored[0]?.quiesce).toEqual({ status: 'quiesced' });
    expect(stored[0]?.consistency?.applied).toBe('filesystem');
    expect(stored[0]?.disks.map((disk) => disk.status)).toEqual(['creating', 'creating']);
    expect(stored[0]?.disks.every((disk) => disk.snapshotId === undefined)).toBe(true);
    // And after the release: one write with the ids, the release and the acceptance.
    const after = await readStored(active, run.id);
    expect(after.quiesce).toEqual({ status: 'released' });
    expect(after.phase).toBe('waiting');
    expect(after.disks.every((disk) => disk.snapshotId?.startsWith('s-'))).toBe(true);
  });
});
