import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../..');
// The node that runs the tests also runs the CLI inside the chroot, bound in at the same path.
const NODE = process.execPath;

/** The cached Debian bookworm tree that scripts/build-ci-rootfs.sh builds. */
export const ROOTFS = process.env.SELFSNAP_CI_ROOTFS ?? '/var/cache/selfsnap-ci/rootfs';

/** What a command inside the chroot printed and how it ended. */
export interface ChrootResult {
  code: number;
  stdout: string;
  stderr: string;
}

// Runs inside a private mount and network namespace, so every mount disappears with the process
// and nothing inside can reach a network. $1 is the folder of this chroot, $2 the daemon's socket
// folder, the rest is the command.
const ENTER_SCRIPT = `
set -eu
base="$1"; socket_dir="$2"; shift 2
merged="$base/merged"
mount -t overlay overlay -o "lowerdir=${ROOTFS},upperdir=$base/upper,workdir=$base/work" "$merged"
mount -t proc proc "$merged/proc"
mount --rbind /dev "$merged/dev"
mount -t devpts -o newinstance devpts "$merged/dev/pts"
for path in "${NODE}" "${REPO}"; do
  if [ -d "$path" ]; then
    mkdir -p "$merged$path"
  else
    mkdir -p "$(dirname "$merged$path")" && touch "$merged$path"
  fi
  mount --bind -o ro "$path" "$merged$path"
done
mkdir -p "$merged/run/selfsnap"
mount --bind "$socket_dir" "$merged/run/selfsnap"
exec chroot "$merged" "$@"
`;

/**
 * A throwaway Debian system: the cached rootfs under an overlay, with the test's node, this
 * repository (read-only, at the same path) and the daemon's socket folder at /run/selfsnap. Files
 * written with `writeFile` land in the overlay's upper layer; the rootfs itself never changes.
 */
export class AptChroot {
  private constructor(
    readonly base: string,
    private readonly socketDir: string,
  ) {}

  /** Tells whether the cached rootfs exists. */
  static async available(): Promise<boolean> {
    return access(join(ROOTFS, 'usr/bin/apt-get')).then(
      () => true,
      () => false,
    );
  }

  /** Creates the overlay folders and a `selfsnap` command that runs this repository's CLI. */
  static async create(socketDir: string): Promise<AptChroot> {
    const base = await mkdtemp(join(tmpdir(), 'selfsnap-apt-'));
    await Promise.all(['upper', 'work', 'merged'].map((name) => mkdir(join(base, name))));
    const chroot = new AptChroot(base, socketDir);
    await chroot.writeFile(
      '/usr/local/bin/selfsnap',
      `#!/bin/sh\nexec ${NODE} ${join(REPO, 'dist/cli.js')} "$@"\n`,
      0o755,
    );
    return chroot;
  }

  /** Writes a file into the chroot. */
  async writeFile(path: string, content: string | Buffer, mode = 0o644): Promise<void> {
    const target = join(this.base, 'upper', path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content, { mode });
  }

  /** Reads a file that a command in the chroot wrote; undefined when it does not exist. */
  async readFile(path: string): Promise<string | undefined> {
    return readFile(join(this.base, 'upper', path), 'utf8').catch(() => undefined);
  }

  /** Runs a command inside the chroot and resolves with its output, whatever its exit status. */
  exec(command: string[], env: Record<string, string> = {}): Promise<ChrootResult> {
    const args = ['-m', '-n', '--propagation', 'private', 'sh', '-c', ENTER_SCRIPT, 'enter'];
    const environment = {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: '/root',
      LANG: 'C.UTF-8',
      DEBIAN_FRONTEND: 'noninteractive',
      ...env,
    };
    const child = spawn('unshare', [...args, this.base, this.socketDir, ...command], {
      env: environment,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    return new Promise((done, fail) => {
      child.once('error', fail);
      child.once('close', (code) => done({ code: code ?? -1, stdout, stderr }));
    });
  }

  /** Runs a shell command inside the chroot. */
  shell(script: string, env: Record<string, string> = {}): Promise<ChrootResult> {
    return this.exec(['/bin/sh', '-c', script], env);
  }

  /** Removes the overlay folders; the rootfs is untouched. */
  async remove(): Promise<void> {
    await rm(this.base, { recursive: true, force: true });
  }
}

/** Builds a tiny architecture-independent .deb with dpkg-deb and returns its bytes. */
export async function buildDeb(name: string, version: string): Promise<Buffer> {
  const folder = await mkdtemp(join(tmpdir(), 'selfsnap-deb-'));
  try {
    const tree = join(folder, 'tree');
    await mkdir(join(tree, 'DEBIAN'), { recursive: true });
    await mkdir(join(tree, 'usr/share', name), { recursive: true });
    await writeFile(join(tree, 'usr/share', name, 'version'), `${version}\n`);
    const control = [
      `Package: ${name}`,
      `Version: ${version}`,
      'Architecture: all',
      'Maintainer: selfsnap tests <tests@selfsnap.invalid>',
      'Description: package the selfsnap hook tests install and remove',
      '',
    ].join('\n');
    await writeFile(join(tree, 'DEBIAN/control'), control);
    const output = join(folder, 'package.deb');
    await run('dpkg-deb', ['--build', '--root-owner-group', tree, output]);
    return await readFile(output);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/**
 * Serves `debs` from a trusted file: repository inside the chroot and makes it the only apt
 * source, so `apt-get update` and `apt-get download` work without a network.
 */
export async function writeLocalRepository(
  chroot: AptChroot,
  debs: { name: string; version: string; bytes: Buffer }[],
): Promise<void> {
  const stanzas: string[] = [];
  for (const deb of debs) {
    const file = `${deb.name}_${deb.version}_all.deb`;
    await chroot.writeFile(`/srv/repo/${file}`, deb.bytes);
    const sha256 = createHash('sha256').update(deb.bytes).digest('hex');
    stanzas.push(
      [
        `Package: ${deb.name}`,
        `Version: ${deb.version}`,
        'Architecture: all',
        'Maintainer: selfsnap tests <tests@selfsnap.invalid>',
        `Filename: ./${file}`,
        `Size: ${deb.bytes.length}`,
        `SHA256: ${sha256}`,
        'Description: package the selfsnap hook tests install and remove',
      ].join('\n'),
    );
  }
  await chroot.writeFile('/srv/repo/Packages', `${stanzas.join('\n\n')}\n`);
  await chroot.writeFile('/etc/apt/sources.list', 'deb [trusted=yes] file:/srv/repo ./\n');
}
