import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect } from 'vitest';
import { resolveFreezeTargets, type FreezeGuard } from '../../src/consistency/index.js';
import { SelfsnapError } from '../../src/errors/index.js';
import { realSystemIt } from '../support/require-real-system.js';
import { freezeSupportGap, LoopMounts, removeFolder, run } from './real-filesystems.js';

const it = realSystemIt(freezeSupportGap());

const ANY_DISK: FreezeGuard = { protectedPaths: [], isOnSelectedDisks: () => true };

async function refusal(mountpoints: string[], guard: FreezeGuard = ANY_DISK) {
  const error = await resolveFreezeTargets(mountpoints, guard).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(SelfsnapError);
  expect((error as SelfsnapError).code).toBe('FREEZE_REFUSED');
  return (error as SelfsnapError).message;
}

describe('resolveFreezeTargets', () => {
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

  it('rejects the root filesystem when / is listed', async () => {
    const message = await refusal(['/']);
    expect(message).toContain('/: the root filesystem is never frozen');
  });

  it('rejects a mount when it is a bind mount of /', async () => {
    const bind = join(folder, 'root-bind');
    await mkdir(bind);
    await run('mount', ['--bind', '/', bind]);
    try {
      const message = await refusal([bind]);
      expect(message).toContain('contains the root folder /');
    } finally {
      await run('umount', [bind]);
    }
  });

  it('rejects a filesystem when it contains the state folder', async () => {
    const data = await mounts.mount(join(folder, 'data.img'), join(folder, 'data'));
    const stateDir = join(data, 'selfsnap-state');
    const guard: FreezeGuard = {
      protectedPaths: [
        { path: '/run/selfsnap', role: 'socket folder' },
        { path: stateDir, role: 'state folder' },
      ],
      isOnSelectedDisks: () => true,
    };

    const message = await refusal([data], guard);

    expect(message).toContain(
      `${data}: its filesystem (mounted at ${data}) contains the state folder`,
    );
    expect(message).toContain(stateDir);
  });

  it('rejects a folder when it is not a mountpoint', async () => {
    const data = await mounts.mount(join(folder, 'data.img'), join(folder, 'data'));
    const sub = join(data, 'sub');
    await mkdir(sub);

    const message = await refusal([sub]);

    expect(message).toContain(`${sub}: not a mountpoint`);
  });

  it('rejects paths when they are missing or relative', async () => {
    const message = await refusal([join(folder, 'missing'), 'data']);
    expect(message).toContain(`${join(folder, 'missing')}: does not exist`);
    expect(message).toContain('data: not an absolute path');
  });

  it('rejects a mountpoint when its disk is not selected', async () => {
    const data = await mounts.mount(join(folder, 'data.img'), join(folder, 'data'));
    const seen: string[] = [];
    const guard: FreezeGuard = {
      protectedPaths: [],
      isOnSelectedDisks: (mount) => {
        seen.push(`${mount.mountPoint} ${mount.source} ${mount.fsType}`);
        return false;
      },
    };

    const message = await refusal([data], guard);

    expect(message).toContain('is not on a disk this policy snapshots');
    expect(seen).toEqual([expect.stringMatching(new RegExp(`^${data} /dev/loop\\d+ ext4$`))]);
  });

  it('orders nested mounts deepest first when both are listed', async () => {
    const parent = await mounts.mount(join(folder, 'parent.img'), join(folder, 'parent'));
    const child = await mounts.mount(join(parent, 'child.img'), join(parent, 'child'), 16);

    const targets = await resolveFreezeTargets([parent, child], ANY_DISK);

    expect(targets.map((mount) => mount.mountPoint)).toEqual([child, parent]);
  });

  it('freezes a filesystem once when it is listed twice', async () => {
    const data = await mounts.mount(join(folder, 'data.img'), join(folder, 'data'));
    const bind = join(folder, 'bind');
    await mkdir(bind);
    await run('mount', ['--bind', data, bind]);
    try {
      const targets = await resolveFreezeTargets([data, bind, `${data}/`], ANY_DISK);
      expect(targets.map((mount) => mount.mountPoint)).toEqual([data]);
    } finally {
      await run('umount', [bind]);
    }
  });
});
