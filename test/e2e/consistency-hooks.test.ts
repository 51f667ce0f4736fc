import { afterEach, beforeEach, describe, expect } from 'vitest';
import { freezeSupportGap } from '../consistency/real-filesystems.js';
import { realSystemIt } from '../support/require-real-system.js';
import { ConsistencyWorld, DATA_DISK } from './consistency-world.js';

const it = realSystemIt(freezeSupportGap());
const HOOK_OK = { durationMs: expect.any(Number), exitCode: 0, timedOut: false };

describe('daemon running pre and post hooks', () => {
  let world: ConsistencyWorld;

  beforeEach(async () => {
    world = await ConsistencyWorld.create();
  }, 30_000);

  afterEach(async () => {
    await world.cleanUp();
  }, 30_000);

  /** Starts the daemon with one application policy whose pre hook runs `preBody`. */
  async function startWithHooks(
    preBody: string,
    options: { onFailure?: string; preMode?: number; freeze?: boolean } = {},
  ) {
    const pre = await world.hook('pre.sh', preBody, options.preMode);
    const post = await world.hook('post.sh');
    return world.startDaemon({
      app: {
        disks: [DATA_DISK],
        consistency: 'application',
        freeze: options.freeze === true ? [world.mountpoint] : [],
        hooks: { pre, post, timeout: '1s', onFailure: options.onFailure ?? 'abort' },
      },
    });
  }

  function createCalls(): number {
    return world.emulator.control.requests({ action: 'CreateSnapshot' }).length;
  }

  it('tags application when hooks and freeze succeed', async () => {
    const daemon = await startWithHooks('exit 0', { freeze: true });

    const run = await daemon.trigger('app');

    expect(run.status).toBe('succeeded');
    expect(run.consistency).toEqual({ requested: 'application', applied: 'application' });
    expect(run.hooks).toEqual({ pre: HOOK_OK, post: HOOK_OK });
    expect(run.freezeWindowMs).toBeGreaterThan(0);
    expect(world.consistencyTags(run.id)).toEqual(['application']);
    expect(await world.hookCalls()).toEqual(['pre ids=', `post ids=${run.disks[0]?.snapshotId}`]);
  }, 60_000);

  it('fails the run when pre times out', async () => {
    const daemon = await startWithHooks('sleep 30');

    const run = await daemon.trigger('app');

    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('HOOK_FAILED');
    expect(run.error?.message).toMatch(/^pre hook \/.*\/pre\.sh timed out after \d+ ms$/);
    expect(run.hooks?.pre).toMatchObject({ exitCode: null, timedOut: true });
    expect(run.hooks?.pre?.durationMs).toBeGreaterThanOrEqual(1000);
    expect(run.hooks?.post).toEqual(HOOK_OK);
    expect(await world.hookCalls()).toEqual(['pre ids=', 'post ids=']);
    expect(createCalls()).toBe(0);
  }, 60_000);

  it('fails the run when pre fails under abort', async () => {
    const daemon = await startWithHooks('exit 3');

    const run = await daemon.trigger('app');

    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('HOOK_FAILED');
    expect(run.error?.message).toMatch(/^pre hook \/.*\/pre\.sh failed \(exit code 3\)$/);
    expect(run.hooks?.pre).toMatchObject({ exitCode: 3, timedOut: false });
    expect(await world.hookCalls()).toEqual(['pre ids=', 'post ids=']);
    expect(createCalls()).toBe(0);
  }, 60_000);

  it('tags crash when pre fails under fallback', async () => {
    const daemon = await startWithHooks('exit 3', { onFailure: 'fallback' });

    const run = await daemon.trigger('app');

    expect(run.status).toBe('succeeded');
    expect(run.consistency?.requested).toBe('application');
    expect(run.consistency?.applied).toBe('crash');
    expect(run.consistency?.reason).toMatch(
      /^pre hook \/.*\/pre\.sh failed \(exit code 3\); continued under onFailure: fallback$/,
    );
    expect(world.consistencyTags(run.id)).toEqual(['crash']);
    expect(await world.hookCalls()).toEqual(['pre ids=', `post ids=${run.disks[0]?.snapshotId}`]);
  }, 60_000);

  it('rejects a world-writable pre hook', async () => {
    const daemon = await startWithHooks('exit 0', { preMode: 0o777 });

    const run = await daemon.trigger('app');

    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('HOOK_UNSAFE');
    expect(run.error?.message).toMatch(
      /^hook \/.*\/pre\.sh is writable by group or others \(mode 0777\); run: chmod go-w \/.*\/pre\.sh$/,
    );
    expect(run.hooks).toBeUndefined();
    expect(await world.hookCalls()).toEqual([]);
    expect(createCalls()).toBe(0);
  }, 60_000);
});
