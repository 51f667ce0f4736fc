import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { runWithoutBoot, type ExecResult } from './container.js';
import { command, describeOnSystem, REPO_ROOT, rootUser } from './prerequisites.js';
import { cachedRootfs, ROOTFS_DIR } from './rootfs.js';
import { buildRelease } from './service-fixture.js';

const VERSION = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

// Each case runs in a fresh overlay of the rootfs with systemd not running, as in a chroot.
function runInstall(script: string, extraArgs: string[] = []): ExecResult {
  const options = { rootfs: ROOTFS_DIR, repo: REPO_ROOT, name: `selfsnap-install-${process.pid}` };
  return runWithoutBoot(options, script, extraArgs);
}

describeOnSystem(
  'install.sh',
  [
    rootUser,
    command('shellcheck', 'shellcheck'),
    command('systemd-nspawn', 'systemd-container'),
    cachedRootfs,
  ],
  () => {
    let scratch: string;

    beforeAll(() => {
      buildRelease({ tarball: true });
      scratch = mkdtempSync(join(tmpdir(), 'selfsnap-install-'));
    }, 120_000);

    afterAll(() => {
      if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
    });

    it('passes shellcheck', () => {
      const scripts = ['install.sh', 'scripts/build-ci-rootfs.sh', '.ci/run'];

      const result = spawnSync('shellcheck', scripts, { cwd: REPO_ROOT, encoding: 'utf8' });

      expect(result.stdout).toBe('');
      expect(result.status).toBe(0);
    });

    it('enables the unit when SYSTEMD_OFFLINE=1', () => {
      const result = runInstall(
        'SYSTEMD_OFFLINE=1 /src/install.sh && ' +
          'readlink /etc/systemd/system/multi-user.target.wants/selfsnap.service && ' +
          'getent group selfsnap && test -f /etc/selfsnap/config.yaml && selfsnap version',
      );

      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('it starts on the next boot');
      expect(result.stdout).toContain('/etc/systemd/system/selfsnap.service\n');
      expect(result.stdout).toMatch(/^selfsnap:x:\d+:$/m);
      expect(result.stdout).toContain('runtime: Node.js 20');
    });

    it('installs from the release tarball when npm is absent', () => {
      const name = `selfsnap-${VERSION}-linux-x64`;
      const tarball = join(REPO_ROOT, 'dist', 'release', `${name}.tar.gz`);
      execFileSync('tar', ['-xzf', tarball, '-C', scratch]);

      const result = runInstall(
        `! command -v npm && /release/${name}/install.sh && selfsnap version`,
        [`--bind-ro=${join(scratch, name)}:/release/${name}`],
      );

      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toContain('runtime: Node.js 20');
      expect(result.stdout.split('\n')).toContain(VERSION);
    });

    it('uses the single executable when Node.js is older', () => {
      const oldNode = join(scratch, 'node');
      writeFileSync(oldNode, '#!/bin/sh\necho 18\n');
      chmodSync(oldNode, 0o755);

      const result = runInstall(
        '/src/install.sh && readlink /opt/selfsnap/bin/selfsnap && selfsnap version',
        [`--bind-ro=${oldNode}:/usr/local/bin/node`],
      );

      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('single executable selfsnap-linux-x64 (system Node.js: 18)');
      expect(result.stdout).toContain('/opt/selfsnap/lib/selfsnap-linux-x64\n');
      expect(result.stdout).toMatch(/^\d+\.\d+\.\d+/m);
    });

    it('writes the unit paths when given --prefix', () => {
      const result = runInstall(
        '/src/install.sh --prefix /srv/selfsnap && ' +
          'grep ^ExecStart= /etc/systemd/system/selfsnap.service && ' +
          '/src/install.sh --uninstall && ! test -e /srv/selfsnap && ! test -e /usr/local/bin/selfsnap',
      );

      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toContain(
        'ExecStart=/srv/selfsnap/bin/selfsnap daemon --config /etc/selfsnap/config.yaml',
      );
      expect(result.stdout).toContain('removed /srv/selfsnap');
    });

    it('keeps a --prefix folder when it is foreign', () => {
      const result = runInstall(
        'mkdir -p /srv/data && touch /srv/data/keep && ' +
          '/src/install.sh --prefix /srv/data; echo "exit $?"; test -f /srv/data/keep',
      );

      expect(result.code).toBe(0);
      expect(result.stdout).toContain('exit 1');
      expect(result.stderr).toContain('/srv/data exists and was not made by install.sh');
    });

    it('manages the apt hook when given --hooks apt', () => {
      const result = runInstall(
        '/src/install.sh --hooks apt && test -f /etc/apt/apt.conf.d/80selfsnap && ' +
          '/src/install.sh --uninstall && ! test -e /etc/apt/apt.conf.d/80selfsnap',
      );

      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toContain('installed the apt hook');
    });

    it.each([
      ['--bogus', "unknown option '--bogus'"],
      ['--hooks yum', "invalid --hooks 'yum'"],
      ['--runtime java', "invalid --runtime 'java'"],
      ['--prefix opt/selfsnap', "invalid --prefix 'opt/selfsnap'"],
      ['--purge', '--purge works only with --uninstall'],
    ])('rejects %s before any change', (args, message) => {
      const result = runInstall(`/src/install.sh ${args}; echo "exit $?"; ! test -e /opt/selfsnap`);

      expect(result.code).toBe(0);
      expect(result.stdout).toContain('exit 1');
      expect(result.stderr).toContain(`selfsnap install: error: ${message}`);
    });

    it('rejects users other than root', () => {
      const result = runInstall('runuser -u nobody -- /src/install.sh');

      expect(result.code).toBe(1);
      expect(result.stderr).toContain('install.sh must run as root');
    });
  },
);
