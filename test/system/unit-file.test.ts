import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect, it } from 'vitest';

import { command, describeOnSystem, file, REPO_ROOT } from './prerequisites.js';

const UNIT = join(REPO_ROOT, 'systemd', 'selfsnap.service');
const HOST_UNITS = '/usr/lib/systemd/system';
// The exposure score that `systemd-analyze security` must not exceed (0 safe, 10 exposed).
const MAX_EXPOSURE = 5.0;

describeOnSystem(
  'systemd/selfsnap.service',
  [
    command('systemd-analyze', 'systemd'),
    file(join(HOST_UNITS, 'multi-user.target'), 'apt-get install systemd'),
  ],
  () => {
    it('passes systemd-analyze verify', () => {
      // verify checks ExecStart= and the units named in After=/Wants=, so it runs against a
      // root folder that contains the installed layout: the unit, its binary and systemd's units.
      const root = mkdtempSync(join(tmpdir(), 'selfsnap-verify-'));
      try {
        mkdirSync(join(root, 'etc/systemd/system'), { recursive: true });
        mkdirSync(join(root, 'opt/selfsnap/bin'), { recursive: true });
        mkdirSync(join(root, 'usr/lib/systemd'), { recursive: true });
        cpSync(HOST_UNITS, join(root, 'usr/lib/systemd/system'), { recursive: true });
        cpSync(UNIT, join(root, 'etc/systemd/system/selfsnap.service'));
        writeFileSync(join(root, 'opt/selfsnap/bin/selfsnap'), '#!/bin/sh\n', { mode: 0o755 });

        const result = spawnSync(
          'systemd-analyze',
          ['verify', `--root=${root}`, '/etc/systemd/system/selfsnap.service'],
          { encoding: 'utf8' },
        );

        // A typo in a directive only warns on stderr and still exits 0.
        expect(result.stderr).toBe('');
        expect(result.status).toBe(0);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });

    it('scores an exposure of at most 5.0', () => {
      const result = spawnSync('systemd-analyze', ['security', '--offline=yes', UNIT], {
        encoding: 'utf8',
      });
      const match = /Overall exposure level for selfsnap\.service: (\d+\.\d+)/.exec(result.stdout);

      expect(match, result.stdout + result.stderr).not.toBeNull();
      const exposure = Number(match?.[1]);
      console.log(`systemd-analyze security: selfsnap.service exposure ${exposure.toFixed(1)}`);
      expect(exposure).toBeLessThanOrEqual(MAX_EXPOSURE);
    });
  },
);
