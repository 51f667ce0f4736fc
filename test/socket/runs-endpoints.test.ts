import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../src/socket/index.js';
import {
  getJson,
  postJson,
  requestSocket,
  startTestDaemon,
  type TestDaemon,
} from './test-daemon.js';

const SYSTEM_DISK = 'd-bp1selfsnap0sys00001';

interface ErrorBody {
  error: { code: string; message: string };
}

describe('socket runs endpoints', () => {
  let daemon: TestDaemon;
  let finished: RunView;

  beforeAll(async () => {
    daemon = await startTestDaemon({
      policies: { alpha: { disks: 'all' }, beta: { disks: [SYSTEM_DISK] } },
      scenario: { settings: { snapshotDuration: '1s' } },
    });
    const answer = await postJson<{ run: RunView; timedOut: boolean }>(
      daemon.socketPath,
      '/v1/runs',
      { policy: 'alpha', reason: 'before upgrade', wait: 'accomplished', timeoutMs: 20_000 },
    );
    finished = answer.body.run;
  });

  afterAll(async () => {
    await daemon.stop();
  });

  it('answers with the finished run when waiting for accomplished', () => {
    expect(finished.status).toBe('succeeded');
    expect(finished.phase).toBe('done');
    expect(finished.reason).toBe('before upgrade');
    expect(finished.disks).toHaveLength(3);
    for (const disk of finished.disks) {
      expect(disk.status).toBe('accomplished');
      expect(disk.snapshotId).toMatch(/^s-/);
    }
  });

  it('returns one run with per-disk results, timings and the freeze window', async () => {
    const { status, body } = await getJson<RunView>(daemon.socketPath, `/v1/runs/${finished.id}`);

    expect(status).toBe(200);
    expect(body.id).toBe(finished.id);
    expect(body.freezeWindowMs).toBeNull();
    expect(body.timings.acceptedAfterMs).toBeGreaterThanOrEqual(0);
    expect(body.timings.durationMs).toBeGreaterThanOrEqual(body.timings.acceptedAfterMs ?? 0);
    expect(body.disks.map((disk) => disk.diskId).sort()).toEqual(
      finished.disks.map((disk) => disk.diskId).sort(),
    );
    expect(body.disks[0]?.acceptedAt).toBeDefined();
    expect(body.disks[0]?.finishedAt).toBeDefined();
  });

  it('answers 404 NOT_FOUND when no run has the id', async () => {
    const { status, body } = await getJson<ErrorBody>(daemon.socketPath, '/v1/runs/no-such-run');

    expect(status).toBe(404);
    expect(body.error.code).toBe('NOT_FOUND');
  });

  it('filters runs by policy, status and limit', async () => {
    await postJson(daemon.socketPath, '/v1/runs', { policy: 'beta', wait: 'accomplished' });

    const beta = await getJson<{ runs: RunView[] }>(daemon.socketPath, '/v1/runs?policy=beta');
    const succeeded = await getJson<{ runs: RunView[] }>(
      daemon.socketPath,
      '/v1/runs?status=succeeded&limit=1',
    );
    const failed = await getJson<{ runs: RunView[] }>(daemon.socketPath, '/v1/runs?status=failed');

    expect(beta.body.runs.length).toBeGreaterThan(0);
    expect(beta.body.runs.every((run) => run.policy === 'beta')).toBe(true);
    expect(succeeded.body.runs).toHaveLength(1);
    expect(succeeded.body.runs[0]?.status).toBe('succeeded');
    expect(failed.body.runs).toEqual([]);
  });

  it.each([
    ['/v1/runs?status=done', 'status must be one of'],
    ['/v1/runs?limit=0', 'limit must be a whole number'],
    ['/v1/runs?limit=abc', 'limit must be a whole number'],
    ['/v1/runs?polcy=alpha', 'unknown query parameter polcy'],
  ])('rejects the filter %s with 400 REQUEST_INVALID', async (path, message) => {
    const { status, body } = await getJson<ErrorBody>(daemon.socketPath, path);

    expect(status).toBe(400);
    expect(body.error.code).toBe('REQUEST_INVALID');
    expect(body.error.message).toContain(message);
  });

  it.each([
    ['[]', 'the body must be a JSON object'],
    ['{"policy":"alpha","wait":"forever"}', 'wait must be one of'],
    ['{"policy":"alpha","timeoutMs":-1}', 'timeoutMs must be a whole number'],
    ['{"policy":"alpha","colour":"red"}', 'unknown field colour'],
    ['{"policy":', 'request body is not valid JSON'],
    ['{"policy":"gamma"}', 'no policy named "gamma"'],
  ])('rejects the trigger body %s with 400 REQUEST_INVALID', async (text, message) => {
    const answer = await requestSocket(daemon.socketPath, 'POST', '/v1/runs', { body: text });
    const body = JSON.parse(answer.text) as ErrorBody;

    expect(answer.status).toBe(400);
    expect(body.error.code).toBe('REQUEST_INVALID');
    expect(body.error.message).toContain(message);
  });
});

describe('socket progress stream', () => {
  let daemon: TestDaemon;

  beforeAll(async () => {
    daemon = await startTestDaemon({ scenario: { settings: { snapshotDuration: '2s' } } });
  });

  afterAll(async () => {
    await daemon.stop();
  });

  it('streams run events until the wait mode holds when stream=1', async () => {
    const answer = await requestSocket(daemon.socketPath, 'POST', '/v1/runs?stream=1', {
      body: JSON.stringify({ wait: 'accomplished', timeoutMs: 20_000 }),
    });
    const events = answer.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; run?: RunView; timedOut?: boolean });

    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/x-ndjson');
    expect(events[0]?.type).toBe('run');
    expect(events.at(-1)?.type).toBe('result');
    expect(events.at(-1)?.timedOut).toBe(false);
    expect(events.at(-1)?.run?.status).toBe('succeeded');
    const progressing = events.filter((event) =>
      event.run?.disks.some((disk) => disk.status === 'progressing'),
    );
    expect(progressing.length).toBeGreaterThan(0);
  });

  it('streams when the Accept header names NDJSON and ends at accepted', async () => {
    const answer = await requestSocket(daemon.socketPath, 'POST', '/v1/runs', {
      body: JSON.stringify({ wait: 'accepted' }),
      headers: { accept: 'application/x-ndjson' },
    });
    const lines = answer.text.trim().split('\n');
    const last = JSON.parse(lines.at(-1) as string) as { type: string; run: RunView };

    expect(answer.headers['content-type']).toBe('application/x-ndjson');
    expect(last.type).toBe('result');
    expect(last.run.phase === 'waiting' || last.run.phase === 'done').toBe(true);
    expect(last.run.disks.every((disk) => disk.snapshotId !== undefined)).toBe(true);
  });

  it('reports the timeout in the result event when the wait mode is not reached in time', async () => {
    const answer = await requestSocket(daemon.socketPath, 'POST', '/v1/runs?stream=1', {
      body: JSON.stringify({ wait: 'accomplished', timeoutMs: 50 }),
    });
    const last = JSON.parse(answer.text.trim().split('\n').at(-1) as string) as {
      type: string;
      timedOut: boolean;
    };

    expect(last.type).toBe('result');
    expect(last.timedOut).toBe(true);
  });
});
