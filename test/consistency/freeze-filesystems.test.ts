import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect } from 'vitest';
import { freezeFilesystems, type FreezeOptions } from '../../src/consistency/index.js';
import { realSystemIt } from '../support/require-real-system.js';
import { captureLogs } from './hook-fixtures.js';
import {
  freezeSupportGap,
  LoopMounts,
  removeFolder,
  run,
  startWriteProbe,
  timeWrite,
} from './real-filesystems.js';

const it = realSystemIt(freezeSupportGap());

// A write that has not finished after this long is taken as blocked by a freeze.
const BLOCKED_MS = 500;

function freezeOptions(mountpoints: string[], timeoutMs = 10_000): FreezeOptions {
  return {
    mountpoints,
    timeoutMs,
    logger: captureLogs().logger,
    protectedPaths: [],
    isOnSelectedDisks: () => true,
    watchdogStderr: 'ignore',
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('freezeFilesystems', () => {
  let folder: string;
  let mounts: LoopMounts;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'selfsnap-freeze-'));
    mounts = new LoopMounts();
  });
  afterEach(async () => {
    await mounts.cleanUp();
    await removeFolder(folder);
  });

  it('records the freeze window when it thaws', async () => {
    const data = await mounts.mount(join(folder, 'data.img'), join(folder, 'data'));
    const frozen = await freezeFilesystems(freezeOptions([data]));
    let thawed = false;
    try {
      expect(await timeWrite(data, BLOCKED_MS)).toBeUndefined();
      await sleep(300);

      const window = await frozen.thaw();
      thawed = true;

      expect(window.mountpoints).toEqual([data]);
      expect(window.expired).toBe(false);
      expect(window.durationMs).toBeGreaterThanOrEqual(BLOCKED_MS + 300);
      expect(window.durationMs).toBeLessThan(5000);
      expect(Date.parse(window.frozenAt)).toBeLessThanOrEqual(Date.now() - window.durationMs);
      expect(await timeWrite(data, 5000)).toBeDefined();
    } finally {
      if (!thawed) await frozen.thaw();
    }
  });

  it('returns the same window when thaw is called twice', async () => {
    const data = await mounts.mount(join(folder, 'data.img'), join(folder, 'data'));
    const frozen = await freezeFilesystems(freezeOptions([data]));

    const first = await frozen.thaw();
    const second = await frozen.thaw();

    expect(second).toBe(first);
  });

  it('stands the watchdog down when the thaw succeeds', async () => {
    const data = await mounts.mount(join(folder, 'data.img'), join(folder, 'data'));
    const frozen = await freezeFilesystems(freezeOptions([data]));
    const pid = frozen.watchdogPid as number;
    expect(pid).toBeGreaterThan(0);

    await frozen.thaw();
    await sleep(1000);

    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('freezes nested mounts child first and thaws them when listed', async () => {
    const parent = await mounts.mount(join(folder, 'parent.img'), join(folder, 'parent'));
    const child = await mounts.mount(join(parent, 'child.img'), join(parent, 'child'), 16);
    await writeFile(join(child, 'dirty'), 'data the child must flush through the parent');

    const frozen = await freezeFilesystems(freezeOptions([parent, child]));
    try {
      expect(frozen.mountpoints).toEqual([child, parent]);
      expect(await timeWrite(parent, BLOCKED_MS)).toBeUndefined();
      expect(await timeWrite(child, BLOCKED_MS)).toBeUndefined();
    } finally {
      await frozen.thaw();
    }

    expect(await timeWrite(parent, 5000)).toBeDefined();
    expect(await timeWrite(child, 5000)).toBeDefined();
  });

  it('hangs the child freeze when the parent is frozen first', async () => {
    // Pins the reason for the deepest-first order: the child's loop image lives on the parent.
    const parent = await mounts.mount(join(folder, 'parent.img'), join(folder, 'parent'));
    const child = await mounts.mount(join(parent, 'child.img'), join(parent, 'child'), 16);
    await writeFile(join(child, 'dirty'), 'data the child must flush through the parent');

    await run('fsfreeze', ['-f', parent]);
    const childFreeze = run('fsfreeze', ['-f', child], 30_000).then(() => 'frozen');
    try {
      const early = await Promise.race([childFreeze, sleep(1000).then(() => 'blocked')]);
      expect(early).toBe('blocked');
    } finally {
      await run('fsfreeze', ['-u', parent]);
    }
    expect(await childFreeze).toBe('frozen');
    await run('fsfreeze', ['-u', child]);
  });

  it('thaws what it froze when a later freeze fails', async () => {
    const first = await mounts.mount(join(folder, 'a.img'), join(folder, 'a'));
    const second = await mounts.mount(join(folder, 'b.img'), join(folder, 'b'));
    // A filesystem someone else froze makes fsfreeze -f fail with EBUSY.
    await run('fsfreeze', ['-f', first]);
    try {
      const freezing = freezeFilesystems(freezeOptions([first, second]));
      await expect(freezing).rejects.toMatchObject({ code: 'FREEZE_FAILED' });
      await expect(freezing).rejects.toThrow(/Device or resource busy/);
      expect(await timeWrite(second, 5000)).toBeDefined();
      // The other party's freeze is left alone.
      expect(await timeWrite(first, BLOCKED_MS)).toBeUndefined();
    } finally {
      await run('fsfreeze', ['-u', first]);
    }
  });

  it('rejects with FREEZE_REFUSED when no mountpoint is listed', async () => {
    await expect(freezeFilesystems(freezeOptions([]))).rejects.toMatchObject({
      code: 'FREEZE_REFUSED',
    });
  });

  it('thaws at the deadline when the caller never thaws', async () => {
    const data = await mounts.mount(join(folder, 'data.img'), join(folder, 'data'));
    const frozen = await freezeFilesystems(freezeOptions([data], 1500));
    const probe = startWriteProbe(data);
    try {
      const writtenAfterMs = await probe.finished;
      expect(writtenAfterMs).toBeGreaterThan(1000);
      expect(writtenAfterMs).toBeLessThan(2500);
      await sleep(200);
      expect(frozen.expired).toBe(true);

      const window = await frozen.thaw();
      expect(window.expired).toBe(true);
    } finally {
      await frozen.thaw().catch(() => undefined);
    }
  });

  it('flushes the filesystems before it freezes them', async () => {
    const data = await mounts.mount(join(folder, 'data.img'), join(folder, 'data'));
    await writeFile(join(data, 'dirty.bin'), Buffer.alloc(4 * 1024 * 1024, 1));
    const logs = captureLogs();

    const frozen = await freezeFilesystems({ ...freezeOptions([data]), logger: logs.logger });
    await frozen.thaw();

    const messages = logs.lines.map((line) => line.msg);
    const flushed = messages.indexOf('filesystems flushed');
    expect(flushed).toBeGreaterThanOrEqual(0);
    expect(flushed).toBeLessThan(messages.indexOf('filesystems frozen'));
    expect(logs.lines[flushed]).toMatchObject({ mountpoints: [data] });
    expect(logs.lines.filter((line) => line.msg === 'flush before freeze failed')).toEqual([]);
  });
});
