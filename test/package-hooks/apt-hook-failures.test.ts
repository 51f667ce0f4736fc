import { afterAll, beforeAll, describe, expect } from 'vitest';
import { canCreateNamespaces } from '../support/netns.js';
import { realSystemIt } from '../support/require-real-system.js';
import { AptChroot, buildDeb, ROOTFS } from './apt-chroot.js';
import { buildHookConfig, HookFixture, type HookTestSettings } from './hook-fixture.js';

const PACKAGE = 'selfsnap-probe';
const namespaces = await canCreateNamespaces();
const rootfsReady = await AptChroot.available();
const realIt = realSystemIt(
  namespaces.reason ?? (rootfsReady ? undefined : `no Debian rootfs at ${ROOTFS}`),
);
const HOOK_PATHS = { socketPath: '/run/selfsnap/selfsnap.sock', stateDir: '/var/lib/selfsnap' };
const ONE_PACKAGE_INPUT = `VERSION 3\\n\\n${PACKAGE} - - none < 2.0 all none /tmp/${PACKAGE}.deb\\n`;

describe('apt hook when no restore point can be made', () => {
  let fixture: HookFixture | undefined;
  let chroot: AptChroot | undefined;

  beforeAll(async () => {
    if (!namespaces.ok || !rootfsReady) return;
    fixture = await HookFixture.start({});
    chroot = await AptChroot.create(fixture.netns.folder);
    for (const version of ['1.0', '1.1']) {
      await chroot.writeFile(`/tmp/${PACKAGE}_${version}.deb`, await buildDeb(PACKAGE, version));
    }
    const install = await chroot.exec(['selfsnap', 'hooks', 'install', 'apt']);
    expect(install.code).toBe(0);
    // Creates take 5 s, far past the 1 s hook timeout these tests set.
    await fixture.netns.control('POST', 'faults/latency', {
      action: 'CreateSnapshot',
      latencyMs: 5000,
    });
  }, 60_000);

  afterAll(async () => {
    await chroot?.remove();
    await fixture?.stop();
  });

  async function aptGet(settings: HookTestSettings, script: string) {
    const active = chroot as AptChroot;
    await active.writeFile('/etc/selfsnap/config.yaml', buildHookConfig(HOOK_PATHS, settings));
    const result = await active.shell(script);
    const version = await active.shell(`dpkg-query -W -f='\${Version}' ${PACKAGE} || true`);
    const outcomeText = await active.readFile('/var/lib/selfsnap/hooks/last-outcome.json');
    const outcome = JSON.parse(outcomeText ?? '{}') as {
      result?: string;
      error?: { code: string };
    };
    return { result, installed: version.stdout, outcome };
  }

  realIt(
    'fails open after a timeout: the install proceeds with a warning',
    async () => {
      const { result, installed, outcome } = await aptGet(
        { timeout: '1s' },
        `apt-get install -y /tmp/${PACKAGE}_1.0.deb`,
      );

      expect(result.code, result.stderr).toBe(0);
      expect(installed).toBe('1.0');
      expect(result.stderr).toContain(
        'selfsnap: WARNING: no restore point before this apt transaction: run ',
      );
      expect(result.stderr).toContain('within triggers.hook.timeout (1s)');
      expect(result.stderr).toContain('Failing open: the transaction proceeds');
      expect(outcome).toMatchObject({ result: 'failed-open', error: { code: 'TIMEOUT' } });
    },
    60_000,
  );

  realIt(
    'fails closed after a timeout: apt stops before dpkg runs',
    async () => {
      const { result, installed, outcome } = await aptGet(
        { timeout: '1s', failClosed: true },
        `apt-get install -y /tmp/${PACKAGE}_1.1.deb`,
      );

      expect(result.code, result.stderr).toBe(100);
      expect(installed).toBe('1.0');
      expect(result.stderr).toContain(
        'selfsnap: ERROR: no restore point before this apt transaction',
      );
      expect(result.stderr).toContain('Failing closed: the transaction is stopped');
      expect(result.stderr).toContain('returned an error code (11)');
      expect(outcome).toMatchObject({ result: 'failed-closed', error: { code: 'TIMEOUT' } });
    },
    60_000,
  );

  realIt(
    'fails open with the daemon down: the install proceeds with a warning',
    async () => {
      await (fixture as HookFixture).waitIdle();
      await (fixture as HookFixture).netns.stopDaemon();
      const { result, installed, outcome } = await aptGet(
        {},
        `apt-get install -y /tmp/${PACKAGE}_1.1.deb`,
      );

      expect(result.code, result.stderr).toBe(0);
      expect(installed).toBe('1.1');
      expect(result.stderr).toContain(
        'selfsnap: WARNING: no restore point before this apt transaction: cannot reach the selfsnap daemon',
      );
      expect(outcome).toMatchObject({
        result: 'failed-open',
        error: { code: 'DAEMON_UNREACHABLE' },
      });
    },
    60_000,
  );

  realIt(
    'fails closed with the daemon down: apt stops before dpkg runs',
    async () => {
      const { result, installed, outcome } = await aptGet(
        { failClosed: true },
        `apt-get remove -y ${PACKAGE}`,
      );

      expect(result.code, result.stderr).toBe(100);
      expect(installed).toBe('1.1');
      expect(result.stderr).toContain('cannot reach the selfsnap daemon');
      expect(result.stderr).toContain('Failing closed: the transaction is stopped');
      expect(outcome).toMatchObject({
        result: 'failed-closed',
        error: { code: 'DAEMON_UNREACHABLE' },
      });
    },
    60_000,
  );

  for (const [failClosed, status] of [
    [false, 10],
    [true, 11],
  ] as const) {
    realIt(`exits ${status} from selfsnap hooks run when failClosed is ${failClosed}`, async () => {
      const active = chroot as AptChroot;
      await active.writeFile(
        '/etc/selfsnap/config.yaml',
        buildHookConfig(HOOK_PATHS, { failClosed }),
      );
      const result = await active.shell(
        `printf '${ONE_PACKAGE_INPUT}' | selfsnap hooks run apt; echo "status=$?"`,
      );

      expect(result.stdout).toContain(`status=${status}`);
    });
  }

  realIt(
    'proceeds without a restore point when SELFSNAP_HOOK_SKIP is set',
    async () => {
      const { result, installed, outcome } = await aptGet(
        { failClosed: true },
        `SELFSNAP_HOOK_SKIP=1 apt-get remove -y ${PACKAGE}`,
      );

      expect(result.code, result.stderr).toBe(0);
      expect(installed).toBe('');
      expect(result.stderr).toContain('SELFSNAP_HOOK_SKIP is set: no restore point');
      expect(outcome).toMatchObject({ result: 'skipped' });
    },
    60_000,
  );

  realIt(
    'fails open when the selfsnap command is missing, even with failClosed',
    async () => {
      const { result, installed } = await aptGet(
        { failClosed: true },
        'mv /usr/local/bin/selfsnap /root/selfsnap && ' +
          `apt-get install -y /tmp/${PACKAGE}_1.0.deb; status=$?; ` +
          'mv /root/selfsnap /usr/local/bin/selfsnap; exit $status',
      );

      expect(result.code, result.stderr).toBe(0);
      expect(installed).toBe('1.0');
      expect(result.stderr).toContain(
        'selfsnap: WARNING: the selfsnap command is not installed; no restore point',
      );
    },
    60_000,
  );
});
