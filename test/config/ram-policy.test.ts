import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getJson,
  postJson,
  requestSocket,
  startTestDaemon,
  type TestDaemon,
} from '../socket/test-daemon.js';

interface RunAnswer {
  run: { id: string; status: string; disks: { snapshotId?: string }[] };
}

async function allowedActions(): Promise<string[]> {
  const policy = JSON.parse(await readFile('config/ram-policy.json', 'utf8')) as {
    Statement: { Action: string[] }[];
  };
  return policy.Statement.flatMap((statement) => statement.Action).map((action) =>
    action.replace(/^ecs:/, ''),
  );
}

describe('config/ram-policy.json', () => {
  let daemon: TestDaemon;

  beforeAll(async () => {
    // The emulated RAM role may call exactly what the shipped policy allows, nothing more.
    daemon = await startTestDaemon({
      policies: {
        grouped: { disks: 'all', consistency: 'group', retention: { keepLast: 1 } },
        single: { disks: 'data', retention: { keepLast: 1 } },
      },
      scenario: {
        settings: { snapshotDuration: '1s', allowedActions: await allowedActions() },
      },
    });
  });

  afterAll(async () => {
    await daemon.stop();
  });

  it('allows every call of grouped and single runs, pruning, pins and unpins', async () => {
    for (const policy of ['grouped', 'grouped', 'single', 'single']) {
      const { body } = await postJson<RunAnswer>(daemon.socketPath, '/v1/runs', {
        policy,
        wait: 'accomplished',
        timeoutMs: 30_000,
      });
      expect(body.run.status).toBe('succeeded');
    }
    const { body } = await postJson<RunAnswer>(daemon.socketPath, '/v1/runs', {
      policy: 'single',
      wait: 'accomplished',
      timeoutMs: 30_000,
    });
    const snapshotId = body.run.disks[0]?.snapshotId as string;
    const pin = await postJson(daemon.socketPath, `/v1/snapshots/${snapshotId}/pin`, {});
    const unpin = await requestSocket(
      daemon.socketPath,
      'DELETE',
      `/v1/snapshots/${snapshotId}/pin`,
    );
    const listing = await getJson<{ snapshots: unknown[] }>(daemon.socketPath, '/v1/snapshots');

    expect(pin.status).toBe(200);
    expect(unpin.status).toBe(200);
    expect(listing.status).toBe(200);
    const refused = daemon.emulator.control
      .requests()
      .filter((request) => JSON.stringify(request).includes('Forbidden.RAM'));
    expect(refused).toEqual([]);
    const actions = new Set(daemon.emulator.control.requests().map((request) => request.action));
    for (const action of [
      'CreateSnapshotGroup',
      'DeleteSnapshot',
      'TagResources',
      'UntagResources',
    ]) {
      expect(actions).toContain(action);
    }
  });
});
