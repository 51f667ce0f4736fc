import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/snapshot/index.js';
import { findReusableHookRun } from '../../src/triggers/index.js';

const NOW = new Date('2026-12-04T12:00:00Z');
const TEN_MINUTES = 600_000;

function hookRun(
  id: string,
  startedSecondsAgo: number,
  changes: Partial<RunRecord> = {},
): RunRecord {
  return {
    id,
    policy: 'nightly',
    trigger: 'hook',
    reason: 'apt pre 0123456789ab: upgrade nginx 1.22 -> 1.24',
    instanceId: 'i-test',
    snapshotName: `selfsnap-nightly-${id}`,
    phase: 'done',
    status: 'succeeded',
    startedAt: new Date(NOW.getTime() - startedSecondsAgo * 1000).toISOString(),
    disks: [{ diskId: 'd-1', diskType: 'system', clientToken: 't', status: 'accomplished' }],
    ...changes,
  };
}

const PRE = { policy: 'nightly', reason: 'apt pre aaaaaaaaaaaa: install curl 8.0' };

describe('findReusableHookRun', () => {
  it('returns the newest hook run started within the interval', () => {
    const runs = [hookRun('new', 60), hookRun('old', 120)];
    expect(findReusableHookRun(runs, PRE, TEN_MINUTES, NOW)?.id).toBe('new');
  });

  it('returns a hook run still in flight', () => {
    const runs = [hookRun('busy', 5, { status: 'running', phase: 'waiting' })];
    expect(findReusableHookRun(runs, PRE, TEN_MINUTES, NOW)?.id).toBe('busy');
  });

  it.each<[string, RunRecord[], number, { policy: string; reason?: string }]>([
    ['the interval is zero', [hookRun('new', 1)], 0, PRE],
    ['the run is older than the interval', [hookRun('old', 601)], TEN_MINUTES, PRE],
    ['the run belongs to another policy', [hookRun('new', 60)], TEN_MINUTES, { policy: 'other' }],
    ['the run was scheduled', [hookRun('new', 60, { trigger: 'schedule' })], TEN_MINUTES, PRE],
    [
      'the newest run failed',
      [hookRun('bad', 30, { status: 'failed' }), hookRun('ok', 60)],
      TEN_MINUTES,
      PRE,
    ],
    [
      'a disk of the run failed',
      [
        hookRun('part', 30, {
          status: 'running',
          disks: [{ diskId: 'd-1', diskType: 'data', clientToken: 't', status: 'failed' }],
        }),
      ],
      TEN_MINUTES,
      PRE,
    ],
    [
      'the trigger comes after the transaction',
      [hookRun('new', 60)],
      TEN_MINUTES,
      { policy: 'nightly', reason: 'apt post 0123456789ab: upgrade nginx 1.22 -> 1.24' },
    ],
  ])('returns undefined when %s', (_case, runs, minIntervalMs, request) => {
    expect(findReusableHookRun(runs, request, minIntervalMs, NOW)).toBeUndefined();
  });
});
