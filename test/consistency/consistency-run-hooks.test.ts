import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect } from 'vitest';
import {
  createConsistencyHooks,
  QuiesceRegistry,
  selfsnapPaths,
} from '../../src/consistency/index.js';
import { parseConfig, type PolicyConfig, type SelfsnapConfig } from '../../src/config/index.js';
import type { DiskResult, RunRecord } from '../../src/snapshot/index.js';
import { realSystemIt } from '../support/require-real-system.js';
import { captureLogs, makeHookFolder, writeHook } from './hook-fixtures.js';
import {
  freezeSupportGap,
  LoopMounts,
  removeFolder,
  run as runCommand,
  timeWrite,
} from './real-filesystems.js';

const it = realSystemIt(freezeSupportGap());
const BLOCKED_MS = 500;

function makeRun(): RunRecord {
  return {
    id: 'r-20261204-xyz',
    policy: 'nightly',
    trigger: 'schedule',
    instanceId: 'i-test',
    snapshotName: 'selfsnap-nightly-20261204T030000Z',
    phase: 'creating',
    status: 'running',
    startedAt: new Date().toISOString(),
    disks: [
      { diskId: 'd-data1', diskType: 'data', clientToken: 't1', status: 'pending' },
      { diskId: 'd-data2', diskType: 'data', clientToken: 't2', status: 'pending' },
    ],
    consistency: { requested: 'application', applied: 'crash' },
  };
}

describe('createConsistencyHooks', () => {
  let folder: string;
  let hookFolder: string;
  let mounts: LoopMounts;
  let data: string;
  let config: SelfsnapConfig;
  let marker: string;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'selfsnap-run-hooks-'));
    hookFolder = await makeHookFolder();
    mounts = new LoopMounts();
    data = await mounts.mount(join(folder, 'data.img'), join(folder, 'data'));
    marker = join(hookFolder, 'marker');
    const record = `echo "$SELFSNAP_PHASE $SELFSNAP_DISK_IDS ids=$SELFSNAP_SNAPSHOT_IDS" >> ${marker}`;
    const pre = await writeHook(hookFolder, 'pre.sh', record);
    const post = await writeHook(hookFolder, 'post.sh', record);
    config = parseConfig(
      [
        `stateDir: ${join(folder, 'state')}`,
        `socket: {path: ${join(folder, 'run', 'selfsnap.sock')}}`,
        'policies:',
        '  nightly:',
        '    consistency: application',
        `    freeze: [${data}]`,
        '    freezeTimeout: 10s',
        `    hooks: {pre: ${pre}, post: ${post}, timeout: 5s}`,
      ].join('\n'),
    );
  });
  afterEach(async () => {
    await mounts.cleanUp();
    await removeFolder(folder);
    await removeFolder(hookFolder);
  });

  function nightly(): PolicyConfig {
    return config.policies.nightly as PolicyConfig;
  }

  function hooksFor(onDisk = true, registry = new QuiesceRegistry()) {
    return createConsistencyHooks({
      registry,
      logger: captureLogs().logger,
      protectedPaths: selfsnapPaths(config),
      isOnRunDisks: () => onDisk,
    });
  }

  it('lists the state and socket folders as protected paths', async () => {
    expect(selfsnapPaths(config)).toEqual([
      { path: join(folder, 'state'), role: 'state folder' },
      { path: join(folder, 'run'), role: 'socket folder' },
    ]);
  });

  it('passes snapshot ids to post when the run releases', async () => {
    const hooks = hooksFor();
    const run = makeRun();
    const policy = nightly();

    const applied = await hooks.quiesce(run, policy);
    expect(applied).toBe('application');
    expect(await timeWrite(data, BLOCKED_MS)).toBeUndefined();
    run.disks = run.disks.map((disk, index) => ({ ...disk, snapshotId: `s-${index + 1}` }));
    await hooks.release(run, policy);

    expect(await timeWrite(data, 2000)).toBeDefined();
    expect(await readFile(marker, 'utf8')).toBe(
      'pre d-data1,d-data2 ids=\npost d-data1,d-data2 ids=s-1,s-2\n',
    );
  });

  it('records hook outcomes and the freeze window', async () => {
    const hooks = hooksFor();
    const run = makeRun();

    await hooks.quiesce(run, nightly());
    expect(run.hooks?.pre).toEqual({
      durationMs: expect.any(Number),
      exitCode: 0,
      timedOut: false,
    });
    expect(run.hooks?.post).toBeUndefined();
    const correction = await hooks.release(run, nightly());

    expect(correction).toBeUndefined();
    expect(run.hooks?.post).toEqual({
      durationMs: expect.any(Number),
      exitCode: 0,
      timedOut: false,
    });
    expect(run.freezeWindowMs).toBeGreaterThan(0);
    expect(run.freezeWindowMs).toBeLessThan(10_000);
  });

  it('returns a crash correction when the freeze deadline passed', async () => {
    const hooks = hooksFor();
    const run = makeRun();
    const policy = { ...nightly(), freezeTimeout: 1000 };

    expect(await hooks.quiesce(run, policy)).toBe('application');
    // The watchdog thaws at the 1 s deadline while the creates would still be in flight.
    expect(await timeWrite(data, 3000)).toBeDefined();
    const correction = await hooks.release(run, policy);

    expect(correction).toEqual({
      consistency: 'crash',
      reason:
        'the watchdog thawed at the freeze deadline (1000 ms), so the application quiesce may have ended before the creates were accepted',
    });
    expect(run.freezeWindowMs).toBeGreaterThanOrEqual(1000);
    expect(await readFile(marker, 'utf8')).toBe(
      'pre d-data1,d-data2 ids=\npost d-data1,d-data2 ids=\n',
    );
  });

  it('returns a crash correction when a shutdown released first', async () => {
    const registry = new QuiesceRegistry();
    const hooks = hooksFor(true, registry);
    const run = makeRun();

    await hooks.quiesce(run, nightly());
    await registry.releaseAll();
    expect(await timeWrite(data, 2000)).toBeDefined();
    const correction = await hooks.release(run, nightly());

    expect(correction).toEqual({
      consistency: 'crash',
      reason:
        'the daemon stopped and released the run first, so the application quiesce may have ended before the creates were accepted',
    });
    expect(await readFile(marker, 'utf8')).toBe(
      'pre d-data1,d-data2 ids=\npost d-data1,d-data2 ids=\n',
    );
  });

  it('runs post once when quiesce fails before release', async () => {
    const hooks = hooksFor(false);
    const run = makeRun();
    const policy = nightly();

    await expect(hooks.quiesce(run, policy)).rejects.toMatchObject({ code: 'FREEZE_REFUSED' });
    expect(await hooks.release(run, policy)).toBeUndefined();

    expect(await readFile(marker, 'utf8')).toBe(
      'pre d-data1,d-data2 ids=\npost d-data1,d-data2 ids=\n',
    );
  });

  it('thaws and runs post when a restarted daemon releases', async () => {
    const run = makeRun();
    run.disks = [{ ...(run.disks[0] as DiskResult), snapshotId: 's-1' }, ...run.disks.slice(1)];
    await runCommand('fsfreeze', ['-f', data]);
    expect(await timeWrite(data, BLOCKED_MS)).toBeUndefined();

    run.consistency = { requested: 'application', applied: 'application' };
    const correction = await hooksFor().release(run, nightly());

    expect(await timeWrite(data, 2000)).toBeDefined();
    expect(await readFile(marker, 'utf8')).toBe('post d-data1,d-data2 ids=s-1\n');
    expect(run.hooks?.post).toMatchObject({ exitCode: 0, timedOut: false });
    expect(correction).toEqual({
      consistency: 'crash',
      reason:
        'the daemon restarted while the run was quiesced, so the application quiesce may have ended before the creates were accepted',
    });
  });
});
