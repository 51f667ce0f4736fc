import { describe, expect, it } from 'vitest';
import {
  parseAptHookInput,
  parseDnfHookInput,
  summarizeChanges,
  type PackageChange,
} from '../../src/package-hooks/index.js';

// What apt 2.6 wrote to a Version 3 Pre-Install-Pkgs hook, shortened to two config lines.
const APT_V3 = [
  'VERSION 3',
  'APT::Architecture=amd64',
  'DPkg::Pre-Install-Pkgs::=/usr/lib/selfsnap/apt-hook pre',
  '',
  'nginx 1.22.1-9 amd64 none < 1.24.0-1 amd64 none /var/cache/apt/archives/nginx_1.24.0-1_amd64.deb',
  'curl - - none < 7.88.1-10 amd64 none /var/cache/apt/archives/curl_7.88.1-10_amd64.deb',
  'vim 2:9.0.1378-2 amd64 none > - - none **REMOVE**',
  'libc6 2.36-9 amd64 same > 2.36-8 amd64 same /var/cache/apt/archives/libc6_2.36-8_amd64.deb',
  'tzdata 2024a-0 all foreign = 2024a-0 all foreign /var/cache/apt/archives/tzdata_2024a-0_all.deb',
  'nginx 1.22.1-9 amd64 none < 1.24.0-1 amd64 none **CONFIGURE**',
  'curl - - none < 7.88.1-10 amd64 none **CONFIGURE**',
  'half 1.0 all none = 1.0 all none **CONFIGURE**',
  '',
].join('\n');

describe('parseAptHookInput', () => {
  it('reads one change per package from protocol version 3', () => {
    expect(parseAptHookInput(APT_V3)).toEqual<PackageChange[]>([
      { action: 'upgrade', name: 'nginx', from: '1.22.1-9', to: '1.24.0-1' },
      { action: 'install', name: 'curl', to: '7.88.1-10' },
      { action: 'remove', name: 'vim', from: '2:9.0.1378-2' },
      { action: 'downgrade', name: 'libc6:amd64', from: '2.36-9', to: '2.36-8' },
      { action: 'reinstall', name: 'tzdata', from: '2024a-0', to: '2024a-0' },
      { action: 'configure', name: 'half', from: '1.0', to: '1.0' },
    ]);
  });

  it('reads protocol version 2 when apt sends no architectures', () => {
    const input = 'VERSION 2\nAPT::Architecture=amd64\n\nnginx 1.22 < 1.24 /tmp/nginx.deb\n';
    expect(parseAptHookInput(input)).toEqual([
      { action: 'upgrade', name: 'nginx', from: '1.22', to: '1.24' },
    ]);
  });

  it('reads .deb paths when apt sends protocol version 1', () => {
    expect(parseAptHookInput('/var/cache/apt/archives/curl_7.88.1-10_amd64.deb\n')).toEqual([
      { action: 'install', name: 'curl', to: '7.88.1-10' },
    ]);
  });

  it('returns no changes when apt sends only its configuration', () => {
    expect(parseAptHookInput('VERSION 3\nAPT::Architecture=amd64\n\n')).toEqual([]);
  });

  it('ignores config lines that look like package lines', () => {
    const input = 'VERSION 3\nA::B=one two three four five six seven eight nine\n\n';
    expect(parseAptHookInput(input)).toEqual([]);
  });
});

describe('parseDnfHookInput', () => {
  it('reads the tab-separated lines of the dnf plugin', () => {
    const input =
      'upgrade\tkernel\t5.14.0-1.el9\t5.14.0-2.el9\ninstall\tjq\t-\t1.6-1\nbogus line\n';
    expect(parseDnfHookInput(input)).toEqual([
      { action: 'upgrade', name: 'kernel', from: '5.14.0-1.el9', to: '5.14.0-2.el9' },
      { action: 'install', name: 'jq', to: '1.6-1' },
    ]);
  });
});

describe('summarizeChanges', () => {
  it('lists every change when they fit', () => {
    const changes: PackageChange[] = [
      { action: 'upgrade', name: 'nginx', from: '1.22', to: '1.24' },
      { action: 'remove', name: 'vim', from: '9.0' },
    ];
    expect(summarizeChanges(changes, 200)).toBe('upgrade nginx 1.22 -> 1.24, remove vim 9.0');
  });

  it('cuts between packages and counts the rest when the limit is reached', () => {
    const changes = Array.from({ length: 40 }, (_, index) => ({
      action: 'upgrade' as const,
      name: `package-${index}`,
      from: '1.0',
      to: '2.0',
    }));
    const summary = summarizeChanges(changes, 200);

    expect(summary.length).toBeLessThanOrEqual(200);
    expect(summary).toMatch(
      /^upgrade package-0 1\.0 -> 2\.0, .*package-\d+ 1\.0 -> 2\.0 \(\+\d+ more\)$/,
    );
    const shown = summary.split(', ').length;
    expect(summary).toContain(`(+${40 - shown} more)`);
  });
});
