import { execFile, spawn } from 'node:child_process';
import { access, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../..');
// Where Debian's python3-dnf keeps dnf and where dnf-plugins-core puts its plugins.
const HOST_DNF = '/usr/lib/python3/dist-packages/dnf';
const HOST_PLUGIN_DIR = '/usr/lib/python3/dist-packages/dnf-plugins';

/** What a dnf command printed and how it ended. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Real dnf transactions on this Debian machine against an empty `--installroot`, with the selfsnap
 * plugin installed by `selfsnap hooks install dnf --root` into a separate folder that stands for
 * the target system's files. dnf runs the plugin from there and the plugin runs this repository's
 * CLI; the installroot holds only the rpm database and the test package.
 */
export class DnfSandbox {
  private constructor(readonly folder: string) {}

  /** Tells why dnf transactions cannot run here, or undefined when they can. */
  static async unavailableReason(): Promise<string | undefined> {
    for (const tool of ['dnf', 'rpmbuild', 'createrepo_c']) {
      const found = await run('sh', ['-c', `command -v ${tool}`]).then(
        () => true,
        () => false,
      );
      if (!found) return `${tool} is not installed (Debian packages dnf, rpm, createrepo-c)`;
    }
    const plugins = await access(join(HOST_PLUGIN_DIR, 'download.py')).then(
      () => true,
      () => false,
    );
    return plugins ? undefined : 'the dnf download plugin is missing (dnf-plugins-core)';
  }

  /** Creates the folders, the plugin, a `selfsnap` command, the rpms and a local repository. */
  static async create(): Promise<DnfSandbox> {
    const folder = await mkdtemp(join(tmpdir(), 'selfsnap-dnf-'));
    const sandbox = new DnfSandbox(folder);
    await mkdir(join(sandbox.systemRoot, 'usr/lib/python3/dist-packages/dnf'), { recursive: true });
    // dnf's own constants tell the installer where the plugin folder is.
    await copyFile(
      join(HOST_DNF, 'const.py'),
      join(sandbox.systemRoot, 'usr/lib/python3/dist-packages/dnf/const.py'),
    );
    await mkdir(join(folder, 'bin'));
    await writeFile(
      join(folder, 'bin/selfsnap'),
      `#!/bin/sh\nexec ${process.execPath} ${join(REPO, 'dist/cli.js')} "$@"\n`,
      { mode: 0o755 },
    );
    await mkdir(join(folder, 'repo'));
    for (const version of ['1.0', '1.1']) await sandbox.buildRpm('selfsnap-probe', version);
    await run('createrepo_c', ['-q', join(folder, 'repo')]);
    return sandbox;
  }

  /** The folder that stands for the target system's files (plugin and its config). */
  get systemRoot(): string {
    return join(this.folder, 'system');
  }

  /** The hook's config file. */
  get configPath(): string {
    return join(this.folder, 'config.yaml');
  }

  /** Path of a test rpm. */
  rpm(version: string): string {
    return join(this.folder, 'repo', `selfsnap-probe-${version}-1.noarch.rpm`);
  }

  /** Runs the selfsnap CLI with the sandbox's command folder first on PATH. */
  selfsnap(args: string[]): Promise<CommandResult> {
    return this.spawn(join(this.folder, 'bin/selfsnap'), args);
  }

  /** Runs dnf against the installroot with the installed plugin; `extraPlugins` adds the host's. */
  dnf(args: string[], options: { hostPlugins?: boolean } = {}): Promise<CommandResult> {
    const pluginDirs = [join(this.systemRoot, 'usr/lib/python3/dist-packages/dnf-plugins')];
    if (options.hostPlugins === true) pluginDirs.push(HOST_PLUGIN_DIR);
    return this.spawn('dnf', [
      `--installroot=${join(this.folder, 'installroot')}`,
      '--setopt=reposdir=/dev/null',
      `--setopt=pluginpath=${pluginDirs.join(',')}`,
      `--setopt=pluginconfpath=${join(this.systemRoot, 'etc/dnf/plugins')}`,
      `--setopt=cachedir=${join(this.folder, 'cache')}`,
      `--repofrompath=local,file://${join(this.folder, 'repo')}`,
      '--setopt=local.gpgcheck=0',
      '--releasever=1',
      '-y',
      ...args,
    ]);
  }

  /** Returns the installed version-release of the test package, or '' when it is not installed. */
  async installedVersion(): Promise<string> {
    const result = await this.spawn('rpm', [
      `--root=${join(this.folder, 'installroot')}`,
      '-q',
      '--qf',
      '%{VERSION}-%{RELEASE}',
      'selfsnap-probe',
    ]);
    return result.code === 0 ? result.stdout.trim() : '';
  }

  /** Reads the outcome the last hook stored in the state folder. */
  async lastOutcome(): Promise<{ result?: string; error?: { code: string } }> {
    const text = await readFile(join(this.folder, 'state/hooks/last-outcome.json'), 'utf8');
    return JSON.parse(text) as { result?: string; error?: { code: string } };
  }

  /** Removes every file of the sandbox. */
  async remove(): Promise<void> {
    await rm(this.folder, { recursive: true, force: true });
  }

  private async buildRpm(name: string, version: string): Promise<void> {
    const spec = [
      `Name: ${name}`,
      `Version: ${version}`,
      'Release: 1',
      'Summary: package the selfsnap hook tests install and remove',
      'License: Apache-2.0',
      'BuildArch: noarch',
      'AutoReqProv: no',
      '%description',
      'Package the selfsnap hook tests install and remove.',
      '%install',
      `mkdir -p %{buildroot}/usr/share/${name}`,
      `echo ${version} > %{buildroot}/usr/share/${name}/version`,
      '%files',
      `/usr/share/${name}/version`,
      '',
    ].join('\n');
    const specPath = join(this.folder, `${name}-${version}.spec`);
    await writeFile(specPath, spec);
    const top = join(this.folder, 'rpmbuild');
    await run('rpmbuild', ['-bb', '--quiet', '--define', `_topdir ${top}`, specPath]);
    await copyFile(join(top, 'RPMS/noarch', `${name}-${version}-1.noarch.rpm`), this.rpm(version));
  }

  private spawn(command: string, args: string[]): Promise<CommandResult> {
    const env = {
      ...process.env,
      PATH: `${join(this.folder, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      SELFSNAP_CONFIG: this.configPath,
    };
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    return new Promise((done, fail) => {
      child.once('error', fail);
      child.once('close', (code) => done({ code: code ?? -1, stdout, stderr }));
    });
  }
}
