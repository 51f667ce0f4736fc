import { chmod, chown, mkdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect } from 'vitest';
import { checkHookSafety } from '../../src/consistency/index.js';
import { SelfsnapError } from '../../src/errors/index.js';
import { realSystemIt } from '../support/require-real-system.js';
import { makeHookFolder, writeHook } from './hook-fixtures.js';
import { rootGap } from './real-filesystems.js';

const it = realSystemIt(rootGap());
// uid 65534 is `nobody` on Debian: any owner other than root will do.
const NOBODY = 65534;

async function expectUnsafe(path: string, ...fragments: string[]): Promise<void> {
  const error = await checkHookSafety(path).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(SelfsnapError);
  expect((error as SelfsnapError).code).toBe('HOOK_UNSAFE');
  expect((error as SelfsnapError).message).toContain(path);
  for (const fragment of fragments) expect((error as SelfsnapError).message).toContain(fragment);
}

describe('checkHookSafety', () => {
  let folder: string;

  beforeEach(async () => {
    folder = await makeHookFolder();
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('returns the resolved path when the hook is safe', async () => {
    const hook = await writeHook(folder, 'pre.sh', 'exit 0');
    const link = join(folder, 'pre-link');
    await symlink(hook, link);

    await expect(checkHookSafety(hook)).resolves.toBe(hook);
    await expect(checkHookSafety(link)).resolves.toBe(hook);
  });

  it('rejects the hook when it is world-writable', async () => {
    const hook = await writeHook(folder, 'pre.sh', 'exit 0', 0o757);
    await expectUnsafe(hook, 'writable by group or others (mode 0757)', `chmod go-w ${hook}`);
  });

  it('rejects the hook when it is group-writable', async () => {
    const hook = await writeHook(folder, 'pre.sh', 'exit 0', 0o775);
    await expectUnsafe(hook, 'mode 0775');
  });

  it('rejects the hook when its folder is writable by others', async () => {
    const hook = await writeHook(folder, 'pre.sh', 'exit 0');
    await chmod(folder, 0o1777);
    await expectUnsafe(hook, `its folder ${folder}`, `chmod go-w ${folder}`);
  });

  it('rejects the hook when its symlink target is unsafe', async () => {
    const open = join(folder, 'open');
    await mkdir(open, { mode: 0o777 });
    await chmod(open, 0o777);
    const target = await writeHook(open, 'pre.sh', 'exit 0');
    const link = join(folder, 'pre.sh');
    await symlink(target, link);
    await expectUnsafe(link, `its folder ${open}`);
  });

  it('rejects the hook when root does not own it', async () => {
    const hook = await writeHook(folder, 'pre.sh', 'exit 0');
    await chown(hook, NOBODY, NOBODY);
    await expectUnsafe(hook, `owned by uid ${NOBODY}, not root`, `chown root ${hook}`);
  });

  it('rejects the hook when it is not executable', async () => {
    const hook = await writeHook(folder, 'pre.sh', 'exit 0', 0o644);
    await expectUnsafe(hook, 'is not executable', `chmod 0755 ${hook}`);
  });

  it('rejects the hook when it does not exist', async () => {
    await expectUnsafe(join(folder, 'missing.sh'), 'does not exist');
  });

  it('rejects the hook when it is a folder', async () => {
    const sub = join(folder, 'sub');
    await mkdir(sub, { mode: 0o755 });
    await expectUnsafe(sub, 'is not a regular file');
  });
});
