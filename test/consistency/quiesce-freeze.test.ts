import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect } from 'vitest';
import {
  QuiesceRegistry,
  quiesce,
  type HooksConfig,
  type QuiesceOptions,
} from '../../src/consistency/index.js';
import { realSystemIt } from '../support/require-real-system.js';
import { captureLogs, makeHookFolder, RUN, writeHook } from './hook-fixtures.js';
import { freezeSupportGap, LoopMounts, removeFolder, timeWrite } from './real-filesystems.js';

const it = realSystemIt(freezeSupportGap());
const BLOCKED_MS = 500;

describe('quiesce with a freeze', () => {
  let folder: string;
  let hookFolder: string;
  let mounts: LoopMounts;
  let data: string;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'selfsnap-quiesce-'));
    hookFolder = await makeHookFolder();
    mounts = new LoopMounts();
    data = await mounts.mount(join(folder, 'data.img'), join(folder, 'data'));
  });
  afterEach(async () => {
    await mounts.cleanUp();
    await removeFolder(folder);
    await removeFolder(hookFolder);
  });

  /** Hooks that write into the frozen filesystem: post would hang if it ran before the thaw. */
  async function writingHooks(extra: Partial<HooksConfig> = {}): Promise<HooksConfig> {
    const pre = await writeHook(hookFolder, 'pre.sh', `echo pre >> ${data}/hooks.log`);
    const post = await writeHook(hookFolder, 'post.sh', `echo post >> ${data}/hooks.log`);
    return { pre, post, timeout: 5000, onFailure: 'abort', ...extra };
  }

  function options(mountpoints: string[], hooks?: HooksConfig): QuiesceOptions {
    return {
      run: RUN,
      consistency: 'application',
      hooks,
      freeze: {
        mountpoints,
        timeoutMs: 10_000,
        protectedPaths: [{ path: join(folder, 'state'), role: 'state folder' }],
        isOnSelectedDisks: () => true,
        watchdogStderr: 'ignore',
      },
      logger: captureLogs().logger,
    };
  }

  it('thaws before post when the run releases', async () => {
    const session = await quiesce(options([data], await writingHooks()));
    expect(session.consistency).toBe('application');
    expect(await timeWrite(data, BLOCKED_MS)).toBeUndefined();

    const result = await session.release(['s-1']);

    expect(result.errors).toEqual([]);
    expect(result.postHook).toMatchObject({ exitCode: 0, timedOut: false });
    expect(result.freezeWindow?.mountpoints).toEqual([data]);
    expect(result.freezeWindow?.durationMs).toBeGreaterThanOrEqual(BLOCKED_MS);
    expect(await readFile(join(data, 'hooks.log'), 'utf8')).toBe('pre\npost\n');
  });

  it('reaches filesystem consistency when no hooks are set', async () => {
    const session = await quiesce({ ...options([data]), consistency: 'filesystem' });
    const result = await session.release(['s-1']);

    expect(session.consistency).toBe('filesystem');
    expect(result.freezeWindow?.expired).toBe(false);
    expect(result.postHook).toBeUndefined();
  });

  it('runs post and rejects when the freeze is refused', async () => {
    const quiescing = quiesce(options([join(folder, 'state')], await writingHooks()));

    await expect(quiescing).rejects.toMatchObject({ code: 'FREEZE_REFUSED' });
    expect(await readFile(join(data, 'hooks.log'), 'utf8')).toBe('pre\npost\n');
  });

  it('lowers the consistency when the freeze fails under fallback', async () => {
    const hooks = await writingHooks({ onFailure: 'fallback' });
    const session = await quiesce(options(['/'], hooks));
    const result = await session.release(['s-1']);

    expect(session.consistency).toBe('crash');
    expect(result.freezeWindow).toBeUndefined();
    expect(result.postHook?.exitCode).toBe(0);
  });

  it('thaws and runs post when the registry releases all', async () => {
    const registry = new QuiesceRegistry();
    const session = await quiesce({ ...options([data], await writingHooks()), registry });
    expect(await timeWrite(data, BLOCKED_MS)).toBeUndefined();

    await registry.releaseAll();

    expect(await timeWrite(data, 2000)).toBeDefined();
    expect(await readFile(join(data, 'hooks.log'), 'utf8')).toBe('pre\npost\n');
    const later = await session.release(['s-1']);
    expect(later.freezeWindow?.mountpoints).toEqual([data]);
  });
});
