import { describe, expect, it } from 'vitest';
import { RunJournal } from '../../src/snapshot/run-journal.js';
import type { RunRecord } from '../../src/snapshot/index.js';

function newRun(): RunRecord {
  return {
    id: 'run-1',
    policy: 'nightly',
    trigger: 'manual',
    instanceId: 'i-1',
    snapshotName: 'selfsnap-nightly-20261204T000000Z',
    phase: 'creating',
    status: 'running',
    startedAt: '2026-12-04T00:00:00.000Z',
    disks: ['d-1', 'd-2', 'd-3'].map((diskId) => ({
      diskId,
      diskType: 'data' as const,
      clientToken: `token-${diskId}`,
      status: 'pending' as const,
    })),
  };
}

describe('RunJournal', () => {
  it('stores the newest state last when writes of one run overlap', async () => {
    const stored: string[] = [];
    let active = 0;
    let overlapped = false;
    const journal = new RunJournal(async (run) => {
      const text = JSON.stringify(run);
      active++;
      overlapped ||= active > 1;
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 10));
      stored.push(text);
      active--;
    });
    const run = newRun();

    await Promise.all(
      run.disks.map(async (disk, index) => {
        await new Promise((resolve) => setTimeout(resolve, index));
        disk.status = 'progressing';
        disk.snapshotId = `s-${index}`;
        await journal.write(run);
      }),
    );

    expect(overlapped).toBe(false);
    expect(JSON.parse(stored.at(-1) as string)).toEqual(run);
  });

  it('resolves a queued write once its state is stored when calls overlap', async () => {
    const stored: RunRecord[] = [];
    const journal = new RunJournal(async (run) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      stored.push(structuredClone(run));
    });
    const run = newRun();

    const first = journal.write(run);
    (run.disks[0] as RunRecord['disks'][number]).status = 'creating';
    const second = journal.write(run);
    (run.disks[1] as RunRecord['disks'][number]).status = 'creating';
    const third = journal.write(run);

    await second;
    expect(stored.at(-1)?.disks.map((disk) => disk.status)).toEqual([
      'creating',
      'creating',
      'pending',
    ]);
    await Promise.all([first, third]);
    // The second and third calls share one write, which runs after the first.
    expect(stored).toHaveLength(2);
  });

  it('writes again when an earlier write failed', async () => {
    let calls = 0;
    const journal = new RunJournal(async () => {
      calls++;
      if (calls === 1) throw new Error('disk full');
    });
    const run = newRun();

    await expect(journal.write(run)).rejects.toThrow('disk full');
    await expect(journal.write(run)).resolves.toBeUndefined();
    expect(calls).toBe(2);
  });
});
