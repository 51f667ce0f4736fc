import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  APT_CONF_PATH,
  APT_HOOK_SCRIPT_PATH,
  DNF_PLUGIN_CONF_PATH,
  installPackageHooks,
  removePackageHooks,
} from '../../src/package-hooks/index.js';

const run = promisify(execFile);
const CLI = resolve(import.meta.dirname, '../../dist/cli.js');
const FEDORA_PLUGIN_DIR = '/usr/lib/python3.9/site-packages/dnf-plugins';

async function selfsnap(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, [CLI, ...args]).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

async function commandExists(name: string): Promise<boolean> {
  return run('sh', ['-c', `command -v ${name}`]).then(
    () => true,
    () => false,
  );
}

describe('selfsnap hooks install and remove', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'selfsnap-root-'));
    await mkdir(join(root, 'etc/apt/apt.conf.d'), { recursive: true });
    // A Fedora-like layout: dnf's constants name the plugin folder.
    const dnfDir = join(root, 'usr/lib/python3.9/site-packages/dnf');
    await mkdir(dnfDir, { recursive: true });
    await writeFile(join(dnfDir, 'const.py'), `PLUGINPATH = '${FEDORA_PLUGIN_DIR}'\n`);
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('prints what it created, then that nothing changed when run again', async () => {
    const first = await selfsnap(['hooks', 'install', 'apt', '--root', root]);
    const second = await selfsnap(['hooks', 'install', 'apt', '--root', root]);

    expect(first.stdout).toBe(`created   ${APT_HOOK_SCRIPT_PATH}\ncreated   ${APT_CONF_PATH}\n`);
    expect(second.stdout).toBe(`unchanged ${APT_HOOK_SCRIPT_PATH}\nunchanged ${APT_CONF_PATH}\n`);
    expect(second.code).toBe(0);
    expect((await stat(join(root, APT_HOOK_SCRIPT_PATH))).mode & 0o777).toBe(0o755);
  });

  it('adds and drops the after-transaction hook with --after', async () => {
    await installPackageHooks('apt', { root, after: false });
    const conf = () => readFile(join(root, APT_CONF_PATH), 'utf8');
    expect(await conf()).not.toContain('Post-Invoke');

    const withAfter = await installPackageHooks('apt', { root, after: true });
    expect(withAfter.map((change) => change.action)).toEqual(['unchanged', 'updated']);
    expect(await conf()).toContain(`DPkg::Post-Invoke {"${APT_HOOK_SCRIPT_PATH} post";};`);
    expect(await conf()).toContain(`DPkg::Tools::Options::${APT_HOOK_SCRIPT_PATH}::Version "3";`);
  });

  it('removes the files and reports them absent when run again', async () => {
    await installPackageHooks('apt', { root, after: true });
    const first = await selfsnap(['hooks', 'remove', 'apt', '--root', root]);
    const second = await selfsnap(['hooks', 'remove', 'apt', '--root', root]);

    expect(first.stdout).toBe(`removed   ${APT_CONF_PATH}\nremoved   ${APT_HOOK_SCRIPT_PATH}\n`);
    expect(second.stdout).toBe(`absent    ${APT_CONF_PATH}\nabsent    ${APT_HOOK_SCRIPT_PATH}\n`);
    await expect(stat(join(root, '/usr/lib/selfsnap'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('installs the dnf plugin into the folder dnf declares', async () => {
    const changes = await installPackageHooks('dnf', { root, after: true });

    expect(changes).toEqual([
      { path: `${FEDORA_PLUGIN_DIR}/selfsnap.py`, action: 'created' },
      { path: DNF_PLUGIN_CONF_PATH, action: 'created' },
    ]);
    expect(await readFile(join(root, DNF_PLUGIN_CONF_PATH), 'utf8')).toMatch(/^after = true$/m);
  });

  it('removes the dnf plugin with its compiled copy', async () => {
    await installPackageHooks('dnf', { root, after: false });
    const cache = join(root, FEDORA_PLUGIN_DIR, '__pycache__');
    await mkdir(cache);
    await writeFile(join(cache, 'selfsnap.cpython-39.pyc'), '');
    await writeFile(join(cache, 'other.cpython-39.pyc'), '');

    const changes = await removePackageHooks('dnf', { root });

    expect(changes.map((change) => change.action)).toEqual(['removed', 'removed']);
    await expect(stat(join(cache, 'selfsnap.cpython-39.pyc'))).rejects.toThrow();
    expect((await stat(join(cache, 'other.cpython-39.pyc'))).isFile()).toBe(true);
  });

  it.each([
    ['apt', 'etc/apt', 'apt is not installed under'],
    ['dnf', 'usr/lib/python3.9', 'dnf is not installed under'],
  ])('fails with NOT_FOUND when %s is missing', async (manager, folder, message) => {
    await rm(join(root, folder), { recursive: true });
    const result = await selfsnap(['hooks', 'install', manager, '--root', root]);

    expect(result.stderr).toContain(`selfsnap: ${message} ${root}`);
    expect(result.code, result.stderr).toBe(9);
  });

  it('shows installed hooks and the last outcome in hooks status', async () => {
    await installPackageHooks('apt', { root, after: true });
    const configPath = join(root, 'config.yaml');
    const stateDir = join(root, 'state');
    await writeFile(configPath, `stateDir: ${stateDir}\npolicies: {p: {disks: all}}\n`);
    await mkdir(join(stateDir, 'hooks'), { recursive: true });
    const outcome = {
      result: 'failed-open',
      at: '2026-12-04T12:00:00.000Z',
      message: 'WARNING: x',
    };
    await writeFile(join(stateDir, 'hooks/last-outcome.json'), JSON.stringify(outcome));

    const result = await selfsnap(['hooks', 'status', '--root', root, '--config', configPath]);

    expect(result.stdout).toBe(
      'apt  installed, with after\ndnf  not installed\n' +
        'last hook: 2026-12-04T12:00:00.000Z failed-open: WARNING: x\n',
    );
  });
});

describe('generated hook files', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'selfsnap-root-'));
    await mkdir(join(root, 'etc/apt/apt.conf.d'), { recursive: true });
    await mkdir(join(root, 'usr/lib/python3/dist-packages/dnf'), { recursive: true });
    await writeFile(join(root, 'usr/lib/python3/dist-packages/dnf/const.py'), '');
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes an apt hook script that shellcheck accepts', async () => {
    expect(await commandExists('shellcheck')).toBe(true);
    await installPackageHooks('apt', { root, after: false });
    const result = await run('shellcheck', ['--shell=sh', join(root, APT_HOOK_SCRIPT_PATH)]).then(
      ({ stdout }) => stdout,
      (error: { stdout: string }) => error.stdout,
    );
    expect(result).toBe('');
  });

  it('writes a dnf plugin that Python compiles', async () => {
    const changes = await installPackageHooks('dnf', { root, after: false });
    const plugin = join(root, changes[0]?.path as string);
    expect(changes[0]?.path).toBe('/usr/lib/python3/dist-packages/dnf-plugins/selfsnap.py');

    const compiled = await run('/usr/bin/python3', ['-m', 'py_compile', plugin]).then(
      () => 'ok',
      (error: { stderr: string }) => error.stderr,
    );
    expect(compiled).toBe('ok');
  });
});
