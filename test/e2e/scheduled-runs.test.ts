import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { canCreateNamespaces } from '../support/netns.js';
import { NetnsFixture } from '../support/netns-fixture.js';
import { realSystemIt } from '../support/require-real-system.js';

const run = promisify(execFile);
const CLI = resolve(import.meta.dirname, '../../dist/cli.js');
const SNAPSHOT_NAME_RULE = /^[A-Za-z][A-Za-z0-9:_.-]{1,127}$/;

interface EmulatedSnapshot {
  snapshotId: string;
  snapshotName: string;
  sourceDiskId: string;
  status: string;
  tags: { key: string; value: string }[];
}

function tagsOf(snapshot: EmulatedSnapshot): Record<string, string> {
  return Object.fromEntries(snapshot.tags.map((tag) => [tag.key, tag.value]));
}

interface StatusJson {
  identity: { instanceId: string; regionId: string; zoneId: string };
  policies: { name: string; lastRun: { status: string } | null; nextRunAt: string | null }[];
  recentRuns: { id: string; trigger: string; status: string; snapshots: number; disks: number }[];
}

const support = await canCreateNamespaces();
const realIt = realSystemIt(support.reason);

describe('daemon on the default metadata address', () => {
  let fixture: NetnsFixture | undefined;

  beforeAll(async () => {
    if (!support.ok) return;
    fixture = await NetnsFixture.start({
      policies: { every4s: { schedule: '*/4 * * * * *', timezone: 'UTC', disks: 'all' } },
      scenario: { settings: { snapshotDuration: '2s' } },
    });
  }, 60_000);

  afterAll(async () => {
    await fixture?.stop();
  });

  realIt(
    'snapshots every disk on each cron slot and reports the runs',
    async () => {
      const active = fixture as NetnsFixture;
      const finished = await active.waitFor(
        async () => {
          const status = await readStatus(active.socketPath);
          const runs = status.recentRuns.filter(
            (entry) => entry.trigger === 'schedule' && entry.status !== 'running',
          );
          return runs.length >= 2 ? { status, runs } : undefined;
        },
        40_000,
        'two finished scheduled runs',
      );

      for (const entry of finished.runs) {
        expect(entry.status).toBe('succeeded');
        expect(entry.snapshots).toBe(3);
      }
      expect(finished.status.identity.instanceId).toMatch(/^i-/);
      expect(finished.status.policies[0]?.nextRunAt).not.toBeNull();

      const { snapshots } = await active.control<{ snapshots: EmulatedSnapshot[] }>(
        'GET',
        'snapshots',
      );
      for (const entry of finished.runs) {
        const ofRun = snapshots.filter((snapshot) => tagsOf(snapshot)['selfsnap:run'] === entry.id);
        expect(ofRun).toHaveLength(3);
        expect(new Set(ofRun.map((snapshot) => snapshot.sourceDiskId)).size).toBe(3);
        for (const snapshot of ofRun) {
          expect(snapshot.status).toBe('accomplished');
          expect(snapshot.snapshotName).toMatch(SNAPSHOT_NAME_RULE);
          expect(snapshot.snapshotName).toMatch(/^selfsnap-every4s-\d{8}T\d{6}Z$/);
          expect(tagsOf(snapshot)).toMatchObject({
            'selfsnap:instance': finished.status.identity.instanceId,
            'selfsnap:policy': 'every4s',
            'selfsnap:trigger': 'schedule',
            'selfsnap:consistency': 'crash',
          });
        }
      }
    },
    60_000,
  );

  realIt('uses token-mode metadata and the RAM role for every API call', async () => {
    const active = fixture as NetnsFixture;
    await active.waitFor(
      async () =>
        (await readStatus(active.socketPath)).recentRuns.some(
          (entry) => entry.status === 'succeeded',
        )
          ? true
          : undefined,
      30_000,
      'a finished run',
    );
    const { requests: imds } = await active.control<{
      requests: { method: string; path: string; headers: Record<string, string> }[];
    }>('GET', 'imds-requests');
    const gets = imds.filter((request) => request.method === 'GET');
    expect(gets.length).toBeGreaterThan(0);
    for (const request of gets) {
      expect(request.headers['x-aliyun-ecs-metadata-token']).toBeTruthy();
    }
    expect(gets.some((request) => request.path.includes('ram/security-credentials/'))).toBe(true);

    const { requests: calls } = await active.control<{
      requests: { action: string; headers: Record<string, string>; outcome?: unknown }[];
    }>('GET', 'requests');
    expect(new Set(calls.map((call) => call.action))).toEqual(
      new Set(['DescribeDisks', 'CreateSnapshot', 'DescribeSnapshots']),
    );
    for (const call of calls) {
      expect(call.headers.authorization).toMatch(/^ACS3-HMAC-SHA256 Credential=STS\./);
      expect(call.headers['x-acs-security-token']).toBe('<redacted>');
    }
  });
});

async function readStatus(socketPath: string): Promise<StatusJson> {
  const { stdout } = await run(process.execPath, [CLI, 'status', '--json', '--socket', socketPath]);
  return JSON.parse(stdout) as StatusJson;
}
