import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/snapshot/index.js';
import { StateStore } from '../../src/state/index.js';
import { LogCapture } from '../engine/engine-harness.js';

function runRecord(index: number, status: RunRecord['status'] = 'succeeded'): RunRecord {
  const startedAt = new Date(Date.UTC(2026, 0, 1, 0, index)).toISOString();
  return {
    id: `run-${String(index).padStart(3, '0')}`,
    policy: 'nightly',
    trigger: 'schedule',
    instanceId: 'i-bp1selfsnap0emu0001',
    snapshotName: `selfsnap-nightly-${index}`,
    phase: status === 'running' ? 'waiting' : 'done',
    status,
    startedAt,
    disks: [{ diskId: 'd-1', diskType: 'data', clientToken: `token-${index}`, status: 'pending' }],
  };
}

describe('StateStore', () => {
  let folder: string;
  let logs: LogCapture;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'selfsnap-state-'));
    logs = new LogCapture();
  });

  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  async function runFiles(): Promise<string[]> {
    return (await readdir(join(folder, 'runs'))).sort();
  }

  it('keeps the newest finished records past the limit', async () => {
    const store = new StateStore(folder, logs.logger, 10);
    await store.init();
    await store.loadRuns();

    await store.saveRun(runRecord(0, 'running'));
    for (let index = 1; index <= 30; index++) await store.saveRun(runRecord(index));

    expect(await runFiles()).toEqual([
      'run-000.json',
      ...Array.from({ length: 9 }, (_, i) => `run-0${22 + i}.json`),
    ]);
  });

  it('trims the history of a previous daemon when loading', async () => {
    const writer = new StateStore(folder, logs.logger, 100);
    await writer.init();
    for (let index = 1; index <= 15; index++) await writer.saveRun(runRecord(index));

    const reader = new StateStore(folder, logs.logger, 10);
    const remaining = await reader.trimHistory(await reader.loadRuns());

    expect(remaining.map((run) => run.id)).toEqual(
      Array.from({ length: 10 }, (_, i) => `run-0${String(6 + i).padStart(2, '0')}`),
    );
    expect(await runFiles()).toHaveLength(10);
  });

  it.each([
    ['null', 'not a JSON object'],
    ['{"id": 42}', 'missing or invalid id'],
    ['{"id": "run-9", "disks": [', 'Unexpected end of JSON input'],
  ])('sets aside a record of %s and loads the others', async (text, reason) => {
    const store = new StateStore(folder, logs.logger);
    await store.init();
    await store.saveRun(runRecord(1));
    await writeFile(join(folder, 'runs/run-009.json'), text);

    const runs = await store.loadRuns();

    expect(runs.map((run) => run.id)).toEqual(['run-001']);
    expect(await runFiles()).toEqual(['run-001.json', 'run-009.json.corrupt']);
    const [warning] = logs.find('skipping unreadable run record');
    expect(warning).toMatchObject({ file: 'run-009.json', movedTo: 'run-009.json.corrupt' });
    expect((warning?.err as { message: string }).message).toContain(reason);
  });

  it('removes the temporary file of a write that a crash cut short', async () => {
    const store = new StateStore(folder, logs.logger);
    await store.init();
    await store.saveRun(runRecord(1));
    await writeFile(join(folder, 'runs/.run-002.json.0a1b2c3d.tmp'), '{"id": "run-0');

    const runs = await store.loadRuns();

    expect(runs).toHaveLength(1);
    expect(await runFiles()).toEqual(['run-001.json']);
    expect(logs.find('removed a run record write that a crash cut short')).toHaveLength(1);
  });
});
