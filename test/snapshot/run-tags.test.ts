import { describe, expect, it } from 'vitest';
import { parseConfig, type PolicyConfig } from '../../src/config/index.js';
import { buildRunTags, type RunRecord } from '../../src/snapshot/index.js';

const policy = parseConfig('policies: {nightly: {tags: {env: prod}}}').policies
  .nightly as PolicyConfig;

function runOf(fields: Partial<RunRecord>): RunRecord {
  return {
    id: '20261204T030000Z-nightly-9f3a',
    policy: 'nightly',
    trigger: 'schedule',
    instanceId: 'i-bp1example',
    snapshotName: 'selfsnap-nightly-20261204T030000Z',
    phase: 'creating',
    status: 'running',
    startedAt: '2026-12-04T03:00:00.000Z',
    disks: [],
    ...fields,
  } as RunRecord;
}

describe('buildRunTags', () => {
  it('writes the selfsnap tags and the policy tags', () => {
    expect(buildRunTags(runOf({}), policy)).toEqual({
      env: 'prod',
      'selfsnap:instance': 'i-bp1example',
      'selfsnap:policy': 'nightly',
      'selfsnap:trigger': 'schedule',
      'selfsnap:run': '20261204T030000Z-nightly-9f3a',
      'selfsnap:consistency': 'crash',
    });
  });

  it('adds the transaction id when a package hook triggered the run', () => {
    const run = runOf({
      trigger: 'hook',
      reason: 'apt pre 3f9c0a1b2d4e: upgrade nginx 1.22 -> 1.24',
    });
    expect(buildRunTags(run, policy)['selfsnap:transaction']).toBe('3f9c0a1b2d4e');
  });

  it.each([
    ['a manual run whose reason looks like a hook reason', 'manual', 'apt pre 3f9c0a1b2d4e: x'],
    ['a hook run whose reason has no transaction', 'hook', 'before deploy'],
  ] as const)('adds no transaction tag for %s', (_case, trigger, reason) => {
    expect(buildRunTags(runOf({ trigger, reason }), policy)).not.toHaveProperty(
      'selfsnap:transaction',
    );
  });
});

describe('policy tags', () => {
  it('are limited so the snapshot stays within the 20 tags ECS allows', () => {
    const tags = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`k${i}`, 'v']));
    expect(() => parseConfig(`policies: {a: {tags: ${JSON.stringify(tags)}}}`)).toThrow(
      'policies.a.tags: at most 14 tags',
    );
  });
});
