import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { RunRecord } from '../../src/snapshot/index.js';
import { canCreateNamespaces } from '../support/netns.js';
import { realSystemIt } from '../support/require-real-system.js';
import { DnfSandbox, type CommandResult } from './dnf-sandbox.js';
import { buildHookConfig, HookFixture, newRuns, type HookTestSettings } from './hook-fixture.js';

const PACKAGE = 'selfsnap-probe';
const namespaces = await canCreateNamespaces();
const dnfMissing = await DnfSandbox.unavailableReason();
const realIt = realSystemIt(namespaces.reason ?? dnfMissing);

interface DnfSystem {
  fixture: HookFixture;
  sandbox: DnfSandbox;
}

/** Starts a daemon and a sandbox with the plugin installed by `selfsnap hooks install dnf`. */
async function startSystem(settings: HookTestSettings, after = false): Promise<DnfSystem> {
  const fixture = await HookFixture.start(settings);
  const sandbox = await DnfSandbox.create();
  const paths = { socketPath: fixture.socketPath, stateDir: join(sandbox.folder, 'state') };
  await writeFile(sandbox.configPath, buildHookConfig(paths, settings));
  const args = ['hooks', 'install', 'dnf', '--root', sandbox.systemRoot];
  const install = await sandbox.selfsnap(after ? [...args, '--after'] : args);
  expect(install.stdout).toContain(
    'created   /usr/lib/python3/dist-packages/dnf-plugins/selfsnap.py',
  );
  expect(install.code).toBe(0);
  return { fixture, sandbox };
}

async function dnf(
  system: DnfSystem,
  args: string[],
  options: { hostPlugins?: boolean } = {},
): Promise<{ result: CommandResult; runs: RunRecord[] }> {
  await system.fixture.waitIdle();
  const before = await system.fixture.hookRuns();
  const result = await system.sandbox.dnf(args, options);
  return { result, runs: newRuns(before, await system.fixture.hookRuns()) };
}

function summaryOf(run: RunRecord | undefined): string | undefined {
  return run?.reason?.replace(/^dnf pre [0-9a-f]{12}: /, '');
}

describe('dnf plugin in real dnf transactions', () => {
  let system: DnfSystem | undefined;

  beforeAll(async () => {
    if (namespaces.ok && dnfMissing === undefined) system = await startSystem({});
  }, 60_000);

  afterAll(async () => {
    await system?.sandbox.remove();
    await system?.fixture.stop();
  });

  realIt(
    'makes one pre-transaction run when dnf installs a local rpm',
    async () => {
      const active = system as DnfSystem;
      const { result, runs } = await dnf(active, ['install', active.sandbox.rpm('1.0')]);

      expect(result.code, result.stderr).toBe(0);
      expect(await active.sandbox.installedVersion()).toBe('1.0-1');
      expect(runs).toHaveLength(1);
      expect(runs[0]?.reason).toMatch(/^dnf pre [0-9a-f]{12}: install selfsnap-probe 1\.0-1$/);
      expect(result.stderr).toContain(
        `selfsnap: restore point before this dnf transaction: run ${runs[0]?.id}`,
      );
      const snapshots = await active.fixture.snapshotsOfRun(runs[0]?.id as string);
      expect(snapshots.length).toBeGreaterThan(0);
      expect(snapshots[0]?.description).toBe(`selfsnap hook: ${runs[0]?.reason}`);
    },
    60_000,
  );

  realIt(
    'names the old and new version when dnf upgrades',
    async () => {
      const active = system as DnfSystem;
      const { result, runs } = await dnf(active, ['install', active.sandbox.rpm('1.1')]);

      expect(result.code, result.stderr).toBe(0);
      expect(runs.map(summaryOf)).toEqual([`upgrade ${PACKAGE} 1.0-1 -> 1.1-1`]);
    },
    60_000,
  );

  realIt(
    'makes no run when dnf only resolves (--assumeno)',
    async () => {
      const active = system as DnfSystem;
      const { result, runs } = await dnf(active, ['--assumeno', 'remove', PACKAGE]);

      expect(result.stdout + result.stderr).toContain('Operation aborted');
      expect(await active.sandbox.installedVersion()).toBe('1.1-1');
      expect(runs).toEqual([]);
    },
    60_000,
  );

  realIt(
    'makes no run for dnf download',
    async () => {
      const active = system as DnfSystem;
      const destination = join(active.sandbox.folder, 'downloads');
      const { result, runs } = await dnf(
        active,
        ['download', '--destdir', destination, `${PACKAGE}-1.0`],
        { hostPlugins: true },
      );

      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout + result.stderr).not.toContain('Traceback');
      expect(runs).toEqual([]);
    },
    60_000,
  );

  realIt(
    'makes no run for a test transaction (tsflags=test)',
    async () => {
      const active = system as DnfSystem;
      const { result, runs } = await dnf(active, ['--setopt=tsflags=test', 'remove', PACKAGE]);

      expect(result.code, result.stderr).toBe(0);
      expect(await active.sandbox.installedVersion()).toBe('1.1-1');
      expect(runs).toEqual([]);
    },
    60_000,
  );

  realIt(
    'makes one pre-transaction run when dnf removes the package',
    async () => {
      const active = system as DnfSystem;
      const { result, runs } = await dnf(active, ['remove', PACKAGE]);

      expect(result.code, result.stderr).toBe(0);
      expect(await active.sandbox.installedVersion()).toBe('');
      expect(runs.map(summaryOf)).toEqual([`remove ${PACKAGE} 1.1-1`]);
    },
    60_000,
  );

  realIt(
    'makes a post run sharing the transaction id when installed with --after',
    async () => {
      const active = system as DnfSystem;
      const install = await active.sandbox.selfsnap([
        'hooks',
        'install',
        'dnf',
        '--root',
        active.sandbox.systemRoot,
        '--after',
      ]);
      expect(install.stdout).toContain('updated   /etc/dnf/plugins/selfsnap.conf');

      const { result, runs } = await dnf(active, ['install', active.sandbox.rpm('1.0')]);

      expect(result.code, result.stderr).toBe(0);
      const [pre, post] = runs.map((run) => run.reason ?? '').reverse() as [string, string];
      expect(runs).toHaveLength(2);
      const transaction = /^dnf pre ([0-9a-f]{12}): /.exec(pre)?.[1];
      expect(transaction).toBeDefined();
      expect(post).toBe(`dnf post ${transaction}: install ${PACKAGE} 1.0-1`);
    },
    60_000,
  );
});

describe('dnf plugin with triggers.hook.minInterval', () => {
  let system: DnfSystem | undefined;

  beforeAll(async () => {
    if (namespaces.ok && dnfMissing === undefined) {
      system = await startSystem({ minInterval: '10m' });
    }
  }, 60_000);

  afterAll(async () => {
    await system?.sandbox.remove();
    await system?.fixture.stop();
  });

  realIt(
    'reuses the recent run when a second install follows within the interval',
    async () => {
      const active = system as DnfSystem;
      const first = await dnf(active, ['install', active.sandbox.rpm('1.0')]);
      expect(first.runs).toHaveLength(1);
      const snapshotsBefore = (await active.fixture.snapshots()).length;

      const second = await dnf(active, ['install', active.sandbox.rpm('1.1')]);

      expect(second.result.code, second.result.stderr).toBe(0);
      expect(await active.sandbox.installedVersion()).toBe('1.1-1');
      expect(second.runs).toEqual([]);
      expect(second.result.stderr).toContain(`reused run ${first.runs[0]?.id}`);
      expect(await active.fixture.snapshots()).toHaveLength(snapshotsBefore);
      expect(await active.sandbox.lastOutcome()).toMatchObject({ result: 'reused' });
    },
    60_000,
  );
});
