import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { RunRecord } from '../../src/snapshot/index.js';
import { canCreateNamespaces } from '../support/netns.js';
import { realSystemIt } from '../support/require-real-system.js';
import {
  AptChroot,
  buildDeb,
  ROOTFS,
  writeLocalRepository,
  type ChrootResult,
} from './apt-chroot.js';
import { buildHookConfig, HookFixture, newRuns, type HookTestSettings } from './hook-fixture.js';

const PACKAGE = 'selfsnap-probe';
const namespaces = await canCreateNamespaces();
const rootfsReady = await AptChroot.available();
const realIt = realSystemIt(
  namespaces.reason ?? (rootfsReady ? undefined : `no Debian rootfs at ${ROOTFS}`),
);
const debs = rootfsReady
  ? [
      { name: PACKAGE, version: '1.0', bytes: await buildDeb(PACKAGE, '1.0') },
      { name: PACKAGE, version: '1.1', bytes: await buildDeb(PACKAGE, '1.1') },
    ]
  : [];

/** Starts a daemon and a chroot with the apt hook installed by `selfsnap hooks install apt`. */
async function startSystem(settings: HookTestSettings) {
  const fixture = await HookFixture.start(settings);
  const chroot = await AptChroot.create(fixture.netns.folder);
  await writeLocalRepository(chroot, debs);
  for (const deb of debs) await chroot.writeFile(`/tmp/${PACKAGE}_${deb.version}.deb`, deb.bytes);
  const paths = { socketPath: '/run/selfsnap/selfsnap.sock', stateDir: '/var/lib/selfsnap' };
  await chroot.writeFile('/etc/selfsnap/config.yaml', buildHookConfig(paths, settings));
  const install = await chroot.exec(['selfsnap', 'hooks', 'install', 'apt']);
  expect(install.stderr).toBe('');
  expect(install.code).toBe(0);
  return { fixture, chroot };
}

/** Runs an apt-get command and returns its result with the hook runs it started. */
async function aptGet(
  system: { fixture: HookFixture; chroot: AptChroot },
  script: string,
): Promise<{ result: ChrootResult; runs: RunRecord[] }> {
  await system.fixture.waitIdle();
  const before = await system.fixture.hookRuns();
  const result = await system.chroot.shell(script);
  const runs = newRuns(before, await system.fixture.hookRuns());
  return { result, runs };
}

function expectSucceeded(result: ChrootResult): void {
  expect(result.stderr).not.toMatch(/^E: /m);
  expect(result.code, result.stderr).toBe(0);
}

describe('apt hook in a Debian chroot', () => {
  let system: { fixture: HookFixture; chroot: AptChroot } | undefined;

  beforeAll(async () => {
    if (namespaces.ok && rootfsReady) system = await startSystem({});
  }, 60_000);

  afterAll(async () => {
    await system?.chroot.remove();
    await system?.fixture.stop();
  });

  realIt(
    'makes one pre-upgrade run when apt installs a local .deb',
    async () => {
      const active = system as NonNullable<typeof system>;
      const { result, runs } = await aptGet(active, `apt-get install -y /tmp/${PACKAGE}_1.0.deb`);

      expectSucceeded(result);
      expect(runs).toHaveLength(1);
      const run = runs[0] as RunRecord;
      expect(run.reason).toMatch(new RegExp(`^apt pre [0-9a-f]{12}: install ${PACKAGE} 1\\.0$`));
      expect(result.stderr).toContain(
        `selfsnap: restore point before this apt transaction: run ${run.id}`,
      );

      const snapshots = await active.fixture.snapshotsOfRun(run.id);
      expect(snapshots).toHaveLength(run.disks.length);
      expect(snapshots.length).toBeGreaterThan(0);
      for (const snapshot of snapshots)
        expect(snapshot.description).toBe(`selfsnap hook: ${run.reason}`);
    },
    60_000,
  );

  realIt(
    'names the old and new version when apt upgrades',
    async () => {
      const active = system as NonNullable<typeof system>;
      const { result, runs } = await aptGet(active, `apt-get install -y /tmp/${PACKAGE}_1.1.deb`);

      expectSucceeded(result);
      expect(runs.map((run) => run.reason?.replace(/^apt pre \w+: /, ''))).toEqual([
        `upgrade ${PACKAGE} 1.0 -> 1.1`,
      ]);
    },
    60_000,
  );

  realIt(
    'makes no run for a simulated install',
    async () => {
      const active = system as NonNullable<typeof system>;
      const snapshotsBefore = (await active.fixture.snapshots()).length;
      const { result, runs } = await aptGet(
        active,
        `apt-get install -y --simulate --allow-downgrades /tmp/${PACKAGE}_1.0.deb`,
      );

      expectSucceeded(result);
      expect(result.stdout).toMatch(/^Inst selfsnap-probe/m);
      expect(runs).toEqual([]);
      expect(await active.fixture.snapshots()).toHaveLength(snapshotsBefore);
    },
    60_000,
  );

  realIt(
    'makes no run for apt-get download',
    async () => {
      const active = system as NonNullable<typeof system>;
      const snapshotsBefore = (await active.fixture.snapshots()).length;
      const { result, runs } = await aptGet(
        active,
        `apt-get update -qq && cd /tmp && apt-get download ${PACKAGE}=1.0 && ls /tmp`,
      );

      expectSucceeded(result);
      expect(result.stdout).toContain(`${PACKAGE}_1.0_all.deb`);
      expect(runs).toEqual([]);
      expect(await active.fixture.snapshots()).toHaveLength(snapshotsBefore);
    },
    60_000,
  );

  realIt(
    'makes no run when apt has nothing to do',
    async () => {
      const active = system as NonNullable<typeof system>;
      const { result, runs } = await aptGet(active, `apt-get install -y /tmp/${PACKAGE}_1.1.deb`);

      expectSucceeded(result);
      expect(result.stdout).toMatch(/0 upgraded, 0 newly installed, 0 to remove/);
      expect(runs).toEqual([]);
    },
    60_000,
  );

  realIt(
    'makes one pre-upgrade run when apt removes the package',
    async () => {
      const active = system as NonNullable<typeof system>;
      const { result, runs } = await aptGet(active, `apt-get remove -y ${PACKAGE}`);

      expectSucceeded(result);
      expect(runs).toHaveLength(1);
      expect(runs[0]?.reason).toMatch(
        new RegExp(`^apt pre [0-9a-f]{12}: remove ${PACKAGE} 1\\.1$`),
      );
      expect(await active.fixture.snapshotsOfRun(runs[0]?.id as string)).not.toHaveLength(0);
    },
    60_000,
  );

  realIt(
    'makes a post run sharing the transaction id when installed with --after',
    async () => {
      const active = system as NonNullable<typeof system>;
      const install = await active.chroot.exec(['selfsnap', 'hooks', 'install', 'apt', '--after']);
      expect(install.stdout).toContain('updated   /etc/apt/apt.conf.d/80selfsnap');

      const { result, runs } = await aptGet(active, `apt-get install -y /tmp/${PACKAGE}_1.0.deb`);

      expectSucceeded(result);
      const reasons = runs.map((run) => run.reason ?? '').reverse();
      expect(reasons).toHaveLength(2);
      const [pre, post] = reasons as [string, string];
      const transaction = /^apt pre ([0-9a-f]{12}): install /.exec(pre)?.[1];
      expect(transaction).toBeDefined();
      expect(post).toBe(`apt post ${transaction}: install ${PACKAGE} 1.0`);
      expect(result.stderr).toContain('selfsnap: restore point after this apt transaction');

      const [preRun, postRun] = [...runs].reverse();
      for (const run of [preRun, postRun]) {
        const snapshots = await active.fixture.snapshotsOfRun(run?.id as string);
        expect(snapshots).not.toHaveLength(0);
        for (const snapshot of snapshots) {
          expect(snapshot.tags).toContainEqual({ key: 'selfsnap:transaction', value: transaction });
        }
      }
    },
    60_000,
  );
});

describe('apt hook with triggers.hook.minInterval', () => {
  let system: { fixture: HookFixture; chroot: AptChroot } | undefined;

  beforeAll(async () => {
    if (namespaces.ok && rootfsReady) system = await startSystem({ minInterval: '10m' });
  }, 60_000);

  afterAll(async () => {
    await system?.chroot.remove();
    await system?.fixture.stop();
  });

  realIt(
    'reuses the recent run when a second install follows within the interval',
    async () => {
      const active = system as NonNullable<typeof system>;
      const first = await aptGet(active, `apt-get install -y /tmp/${PACKAGE}_1.0.deb`);
      expectSucceeded(first.result);
      expect(first.runs).toHaveLength(1);
      const snapshotsBefore = (await active.fixture.snapshots()).length;

      const second = await aptGet(active, `apt-get install -y /tmp/${PACKAGE}_1.1.deb`);

      expectSucceeded(second.result);
      expect(second.runs).toEqual([]);
      expect(second.result.stderr).toContain(`reused run ${first.runs[0]?.id}`);
      expect(await active.fixture.snapshots()).toHaveLength(snapshotsBefore);
      expect(await active.chroot.readFile('/var/lib/selfsnap/hooks/last-outcome.json')).toContain(
        '"result":"reused"',
      );
    },
    60_000,
  );
});
