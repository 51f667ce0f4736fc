import type { RunRecord } from '../../src/snapshot/index.js';
import type { Emulator, Scenario } from '../emulator/index.js';
import { postJson, type TestDaemon } from '../socket/test-daemon.js';

export const INSTANCE_ID = 'i-bp1selfsnap0emu0001';
export const DATA_DISK_1 = 'd-bp1selfsnap0dat00001';
export const DATA_DISK_2 = 'd-bp1selfsnap0dat00002';

type SeededSnapshot = NonNullable<Scenario['snapshots']>[number];

/** Tags selfsnap writes on its own snapshots of `policy` on the test instance. */
export function ownTags(policy = 'nightly'): Record<string, string> {
  return { 'selfsnap:instance': INSTANCE_ID, 'selfsnap:policy': policy };
}

/** Seeds `count` of selfsnap's snapshots of one disk, one a day, the newest a day old. */
export function dailySnapshots(
  count: number,
  diskId: string,
  prefix: string,
  overrides: Partial<SeededSnapshot> = {},
): SeededSnapshot[] {
  return Array.from({ length: count }, (_, index) => ({
    snapshotId: `s-${prefix}${String(index + 1).padStart(3, '0')}`,
    diskId,
    createdAgo: `${index + 1}d`,
    tags: ownTags(),
    ...overrides,
  }));
}

/** Starts a run of `policy` through the socket and waits until it has ended. */
export async function runToEnd(daemon: TestDaemon, policy: string): Promise<RunRecord> {
  const answer = await postJson<{ run: RunRecord; timedOut: boolean }>(
    daemon.socketPath,
    '/v1/runs',
    { policy, wait: 'accomplished', timeoutMs: 30_000 },
  );
  if (answer.body.timedOut || answer.body.run.status === 'running') {
    throw new Error(`run of ${policy} did not end: ${JSON.stringify(answer.body)}`);
  }
  return answer.body.run;
}

/** Returns the ids DeleteSnapshot was called with, sorted. */
export function deleteRequests(emulator: Emulator): string[] {
  const requests = emulator.control.requests({ action: 'DeleteSnapshot' });
  return requests.map((request) => request.params.SnapshotId ?? '').sort();
}

/** Returns the ids of every snapshot the emulator still has, sorted. */
export function remainingIds(emulator: Emulator): string[] {
  return emulator.control
    .snapshots()
    .map((snapshot) => snapshot.snapshotId)
    .sort();
}

/** Counts DescribeSnapshots calls by tag (listing pages) and by id (polls). */
export function countDescribeSnapshots(emulator: Emulator): { pages: number; polls: number } {
  const calls = emulator.control.requests({ action: 'DescribeSnapshots' });
  const polls = calls.filter((call) => call.params.SnapshotIds !== undefined).length;
  return { pages: calls.length - polls, polls };
}
