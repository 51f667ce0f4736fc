import { existsSync, readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect } from 'vitest';
import { buildHookEnv, runHook } from '../../src/consistency/index.js';
import { realSystemIt } from '../support/require-real-system.js';
import { captureLogs, makeHookFolder, RUN, writeHook } from './hook-fixtures.js';
import { rootGap } from './real-filesystems.js';

const it = realSystemIt(rootGap());

/** Tells whether a process runs; a zombie waiting for its parent to reap it counts as ended. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('runHook', () => {
  let folder: string;

  beforeEach(async () => {
    folder = await makeHookFolder();
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('sets SELFSNAP_* variables when the hook runs', async () => {
    const hook = await writeHook(folder, 'post.sh', 'env | grep ^SELFSNAP_ | sort');
    const { logger, lines } = captureLogs();

    const result = await runHook({
      path: hook,
      phase: 'post',
      run: { ...RUN, snapshotIds: ['s-1', 's-2'] },
      timeoutMs: 10_000,
      logger,
    });

    expect(result).toMatchObject({ exitCode: 0, signal: null, timedOut: false });
    const output = lines.filter((line) => line.stream === 'stdout').map((line) => line.msg);
    expect(output).toEqual([
      'SELFSNAP_DISK_IDS=d-disk1,d-disk2',
      'SELFSNAP_PHASE=post',
      'SELFSNAP_POLICY=nightly',
      'SELFSNAP_REASON=before upgrade',
      'SELFSNAP_RUN_ID=r-20261204-abc',
      'SELFSNAP_SNAPSHOT_IDS=s-1,s-2',
      'SELFSNAP_TRIGGER=manual',
    ]);
    const first = lines.find((line) => line.stream === 'stdout');
    expect(first).toMatchObject({ hook, runId: RUN.runId, phase: 'post', level: 30 });
  });

  it('omits SELFSNAP_SNAPSHOT_IDS when the phase is pre', async () => {
    const env = buildHookEnv(
      'pre',
      { ...RUN, snapshotIds: ['s-1'] },
      { SELFSNAP_SNAPSHOT_IDS: 'x' },
    );
    expect(env.SELFSNAP_SNAPSHOT_IDS).toBeUndefined();
    expect(env.SELFSNAP_PHASE).toBe('pre');
  });

  it('runs without a shell when the name has shell syntax', async () => {
    const hook = await writeHook(folder, 'pre; echo injected', 'echo ran');
    const { logger, lines } = captureLogs();

    const result = await runHook({ path: hook, phase: 'pre', run: RUN, timeoutMs: 10_000, logger });

    expect(result.exitCode).toBe(0);
    const output = lines.filter((line) => line.stream === 'stdout').map((line) => line.msg);
    expect(output).toEqual(['ran']);
  });

  it('returns the exit code when the hook fails', async () => {
    const hook = await writeHook(folder, 'pre.sh', 'echo "lock busy" >&2\nexit 3');
    const { logger, lines } = captureLogs();

    const result = await runHook({ path: hook, phase: 'pre', run: RUN, timeoutMs: 10_000, logger });

    expect(result).toMatchObject({ exitCode: 3, signal: null, timedOut: false, aborted: false });
    expect(lines).toContainEqual(expect.objectContaining({ stream: 'stderr', msg: 'lock busy' }));
    expect(lines).toContainEqual(expect.objectContaining({ level: 50, msg: 'hook failed' }));
  });

  it('kills the process group when the hook times out', async () => {
    const childPid = join(folder, 'child.pid');
    const hook = await writeHook(folder, 'pre.sh', `sleep 60 &\necho $! > ${childPid}\nsleep 60`);
    const { logger } = captureLogs();

    const result = await runHook({ path: hook, phase: 'pre', run: RUN, timeoutMs: 500, logger });

    expect(result).toMatchObject({ exitCode: null, signal: 'SIGTERM', timedOut: true });
    expect(result.durationMs).toBeGreaterThanOrEqual(500);
    expect(result.durationMs).toBeLessThan(5000);
    const pid = Number(await readFile(childPid, 'utf8'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(isRunning(pid)).toBe(false);
  });

  it('sends SIGKILL when the hook ignores SIGTERM', async () => {
    const hook = await writeHook(folder, 'pre.sh', "trap '' TERM\nwhile true; do sleep 1; done");
    const { logger } = captureLogs();

    const result = await runHook({
      path: hook,
      phase: 'pre',
      run: RUN,
      timeoutMs: 300,
      killGraceMs: 300,
      logger,
    });

    expect(result).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: true });
    expect(result.durationMs).toBeGreaterThanOrEqual(600);
  });

  it('stops the hook when the signal aborts', async () => {
    const hook = await writeHook(folder, 'pre.sh', 'sleep 60');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const { logger } = captureLogs();

    const result = await runHook({
      path: hook,
      phase: 'pre',
      run: RUN,
      timeoutMs: 60_000,
      logger,
      signal: controller.signal,
    });

    expect(result).toMatchObject({ signal: 'SIGTERM', timedOut: false, aborted: true });
  });

  it('bounds the logged output when the hook prints much', async () => {
    const long = 'x'.repeat(5000);
    const body = `echo ${long}\ni=0\nwhile [ $i -lt 50 ]; do echo line $i; i=$((i+1)); done`;
    const hook = await writeHook(folder, 'pre.sh', body);
    const { logger, lines } = captureLogs();

    await runHook({
      path: hook,
      phase: 'pre',
      run: RUN,
      timeoutMs: 10_000,
      logger,
      output: { maxLines: 10, maxLineLength: 100 },
    });

    const output = lines.filter((line) => line.stream === 'stdout');
    expect(output).toHaveLength(10);
    expect(output[0]).toMatchObject({ msg: 'x'.repeat(100), truncated: true });
    expect(output[1]).toMatchObject({ msg: 'line 0' });
    expect(output[1]).not.toHaveProperty('truncated');
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'hook output truncated', droppedLines: 41 }),
    );
  });

  it('rejects with HOOK_UNSAFE when the hook is world-writable', async () => {
    const marker = join(folder, 'ran');
    const hook = await writeHook(folder, 'pre.sh', `touch ${marker}`, 0o777);
    const { logger } = captureLogs();

    const run = runHook({ path: hook, phase: 'pre', run: RUN, timeoutMs: 10_000, logger });

    await expect(run).rejects.toMatchObject({ code: 'HOOK_UNSAFE' });
    expect(existsSync(marker)).toBe(false);
  });
});
