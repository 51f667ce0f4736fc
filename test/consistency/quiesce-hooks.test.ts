import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect } from 'vitest';
import { QuiesceRegistry, quiesce, type HooksConfig } from '../../src/consistency/index.js';
import { realSystemIt } from '../support/require-real-system.js';
import { captureLogs, makeHookFolder, readMarker, RUN, writeHook } from './hook-fixtures.js';
import { rootGap } from './real-filesystems.js';

const it = realSystemIt(rootGap());

describe('quiesce with hooks', () => {
  let folder: string;
  let marker: string;

  beforeEach(async () => {
    folder = await makeHookFolder();
    marker = join(folder, 'marker');
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  /** Writes a hook that appends its phase and snapshot ids to the marker, then runs `body`. */
  function hook(name: string, body = 'exit 0', mode?: number): Promise<string> {
    const record = `echo "$SELFSNAP_PHASE ids=$SELFSNAP_SNAPSHOT_IDS" >> ${marker}`;
    return writeHook(folder, name, `${record}\n${body}`, mode);
  }

  function hooks(pre: string, post: string, extra: Partial<HooksConfig> = {}): HooksConfig {
    return { pre, post, timeout: 10_000, onFailure: 'abort', ...extra };
  }

  it('runs post with snapshot ids when the run releases', async () => {
    const config = hooks(await hook('pre.sh'), await hook('post.sh'));
    const session = await quiesce({
      run: RUN,
      consistency: 'application',
      hooks: config,
      logger: captureLogs().logger,
    });
    expect(session.consistency).toBe('application');
    expect(session.preHook?.exitCode).toBe(0);

    const result = await session.release(['s-1', 's-2']);

    expect(result.errors).toEqual([]);
    expect(result.postHook?.exitCode).toBe(0);
    expect(await readMarker(marker)).toEqual(['pre ids=', 'post ids=s-1,s-2']);
  });

  it('runs post once when release is called twice', async () => {
    const config = hooks(await hook('pre.sh'), await hook('post.sh'));
    const session = await quiesce({
      run: RUN,
      consistency: 'crash',
      hooks: config,
      logger: captureLogs().logger,
    });

    const [first, second] = await Promise.all([session.release(['s-1']), session.release(['s-9'])]);

    expect(second).toBe(first);
    expect(await readMarker(marker)).toEqual(['pre ids=', 'post ids=s-1']);
  });

  it('runs post and rejects when pre fails under abort', async () => {
    const config = hooks(await hook('pre.sh', 'exit 4'), await hook('post.sh'));

    const quiescing = quiesce({
      run: RUN,
      consistency: 'application',
      hooks: config,
      logger: captureLogs().logger,
    });

    await expect(quiescing).rejects.toMatchObject({ code: 'HOOK_FAILED' });
    await expect(quiescing).rejects.toThrow(/pre hook .*pre\.sh failed \(exit code 4\)/);
    expect(await readMarker(marker)).toEqual(['pre ids=', 'post ids=']);
  });

  it('runs post and rejects when pre times out', async () => {
    const config = hooks(await hook('pre.sh', 'sleep 30'), await hook('post.sh'), { timeout: 300 });

    const quiescing = quiesce({
      run: RUN,
      consistency: 'application',
      hooks: config,
      logger: captureLogs().logger,
    });

    await expect(quiescing).rejects.toThrow(/pre hook .*pre\.sh timed out/);
    expect(await readMarker(marker)).toEqual(['pre ids=', 'post ids=']);
  });

  it('lowers the consistency when pre fails under fallback', async () => {
    const config = hooks(await hook('pre.sh', 'exit 1'), await hook('post.sh'), {
      onFailure: 'fallback',
    });
    const { logger, lines } = captureLogs();

    const session = await quiesce({ run: RUN, consistency: 'application', hooks: config, logger });
    await session.release(['s-1']);

    expect(session.consistency).toBe('crash');
    expect(session.fallbackFrom?.code).toBe('HOOK_FAILED');
    expect(session.fallbackFrom?.message).toMatch(/^pre hook .*\/pre\.sh failed \(exit code 1\)$/);
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'quiesce step failed; continuing at lower consistency' }),
    );
    expect(await readMarker(marker)).toEqual(['pre ids=', 'post ids=s-1']);
  });

  it('rejects without post when the pre hook is unsafe', async () => {
    const config = hooks(await hook('pre.sh', 'exit 0', 0o777), await hook('post.sh'));

    const quiescing = quiesce({
      run: RUN,
      consistency: 'application',
      hooks: config,
      logger: captureLogs().logger,
    });

    await expect(quiescing).rejects.toMatchObject({ code: 'HOOK_UNSAFE' });
    expect(await readMarker(marker)).toEqual([]);
  });

  it('reports a failing post hook when the run releases', async () => {
    const config = hooks(await hook('pre.sh'), await hook('post.sh', 'exit 2'));
    const session = await quiesce({
      run: RUN,
      consistency: 'application',
      hooks: config,
      logger: captureLogs().logger,
    });

    const result = await session.release(['s-1']);

    expect(result.postHook?.exitCode).toBe(2);
    expect(result.errors.map((error) => error.code)).toEqual(['HOOK_FAILED']);
    expect(result.errors[0]?.message).toMatch(/post hook .*post\.sh failed \(exit code 2\)/);
  });

  it('stops pre and runs post when the registry releases all', async () => {
    const registry = new QuiesceRegistry();
    const config = hooks(await hook('pre.sh', 'sleep 30'), await hook('post.sh'));
    const quiescing = quiesce({
      run: RUN,
      consistency: 'application',
      hooks: config,
      logger: captureLogs().logger,
      registry,
    });
    const rejected = expect(quiescing).rejects.toMatchObject({ code: 'HOOK_FAILED' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(registry.size).toBe(1);

    await registry.releaseAll();

    await rejected;
    expect(registry.size).toBe(0);
    expect(await readMarker(marker)).toEqual(['pre ids=', 'post ids=']);
  });

  it('releases a quiesced run when the registry releases all', async () => {
    const registry = new QuiesceRegistry();
    const config = hooks(await hook('pre.sh'), await hook('post.sh'));
    const session = await quiesce({
      run: RUN,
      consistency: 'application',
      hooks: config,
      logger: captureLogs().logger,
      registry,
    });

    await registry.releaseAll();
    const later = await session.release(['s-1']);

    expect(later.postHook?.exitCode).toBe(0);
    expect(await readMarker(marker)).toEqual(['pre ids=', 'post ids=']);
  });
});
