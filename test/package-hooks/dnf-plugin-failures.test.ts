import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { canCreateNamespaces } from '../support/netns.js';
import { realSystemIt } from '../support/require-real-system.js';
import { DnfSandbox } from './dnf-sandbox.js';
import { buildHookConfig, HookFixture, type HookTestSettings } from './hook-fixture.js';

const PACKAGE = 'selfsnap-probe';
const namespaces = await canCreateNamespaces();
const dnfMissing = await DnfSandbox.unavailableReason();
const realIt = realSystemIt(namespaces.reason ?? dnfMissing);

describe('dnf plugin when no restore point can be made', () => {
  let fixture: HookFixture | undefined;
  let sandbox: DnfSandbox | undefined;

  beforeAll(async () => {
    if (!namespaces.ok || dnfMissing !== undefined) return;
    fixture = await HookFixture.start({});
    sandbox = await DnfSandbox.create();
    const install = await sandbox.selfsnap([
      'hooks',
      'install',
      'dnf',
      '--root',
      sandbox.systemRoot,
    ]);
    expect(install.code).toBe(0);
    // Creates take 5 s, far past the 1 s hook timeout these tests set.
    await fixture.netns.control('POST', 'faults/latency', {
      action: 'CreateSnapshot',
      latencyMs: 5000,
    });
  }, 60_000);

  afterAll(async () => {
    await sandbox?.remove();
    await fixture?.stop();
  });

  async function dnf(settings: HookTestSettings, args: string[]) {
    const active = sandbox as DnfSandbox;
    const paths = {
      socketPath: (fixture as HookFixture).socketPath,
      stateDir: join(active.folder, 'state'),
    };
    await writeFile(active.configPath, buildHookConfig(paths, settings));
    const result = await active.dnf(args);
    return {
      result,
      installed: await active.installedVersion(),
      outcome: await active.lastOutcome(),
    };
  }

  realIt(
    'fails open after a timeout: the transaction proceeds with a warning',
    async () => {
      await (fixture as HookFixture).waitIdle();
      const { result, installed, outcome } = await dnf({ timeout: '1s' }, [
        'install',
        (sandbox as DnfSandbox).rpm('1.0'),
      ]);

      expect(result.code, result.stderr).toBe(0);
      expect(installed).toBe('1.0-1');
      expect(result.stderr).toContain(
        'selfsnap: WARNING: no restore point before this dnf transaction',
      );
      expect(result.stderr).toContain('within triggers.hook.timeout (1s)');
      expect(outcome).toMatchObject({ result: 'failed-open', error: { code: 'TIMEOUT' } });
    },
    60_000,
  );

  realIt(
    'fails closed after a timeout: dnf stops before rpm runs',
    async () => {
      // A run still in flight would be joined and might be accepted within the timeout.
      await (fixture as HookFixture).waitIdle();
      const { result, installed, outcome } = await dnf({ timeout: '1s', failClosed: true }, [
        'install',
        (sandbox as DnfSandbox).rpm('1.1'),
      ]);

      expect(result.code, result.stderr).toBe(1);
      expect(installed).toBe('1.0-1');
      expect(result.stderr).toContain(
        'selfsnap: ERROR: no restore point before this dnf transaction',
      );
      expect(result.stderr).toContain('Error: selfsnap: no restore point could be made');
      expect(outcome).toMatchObject({ result: 'failed-closed', error: { code: 'TIMEOUT' } });
    },
    60_000,
  );

  realIt(
    'fails open with the daemon down: the transaction proceeds with a warning',
    async () => {
      await (fixture as HookFixture).waitIdle();
      await (fixture as HookFixture).netns.stopDaemon();
      const { result, installed, outcome } = await dnf({}, [
        'install',
        (sandbox as DnfSandbox).rpm('1.1'),
      ]);

      expect(result.code, result.stderr).toBe(0);
      expect(installed).toBe('1.1-1');
      expect(result.stderr).toContain(
        'selfsnap: WARNING: no restore point before this dnf transaction: cannot reach the selfsnap daemon',
      );
      expect(outcome).toMatchObject({
        result: 'failed-open',
        error: { code: 'DAEMON_UNREACHABLE' },
      });
    },
    60_000,
  );

  realIt(
    'fails closed with the daemon down: dnf stops before rpm runs',
    async () => {
      const { result, installed, outcome } = await dnf({ failClosed: true }, ['remove', PACKAGE]);

      expect(result.code, result.stderr).toBe(1);
      expect(installed).toBe('1.1-1');
      expect(result.stderr).toContain('cannot reach the selfsnap daemon');
      expect(result.stderr).toContain('Failing closed: the transaction is stopped');
      expect(outcome).toMatchObject({
        result: 'failed-closed',
        error: { code: 'DAEMON_UNREACHABLE' },
      });
    },
    60_000,
  );
});
