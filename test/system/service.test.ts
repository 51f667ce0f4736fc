import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { Container } from './container.js';
import { command, describeOnSystem, REPO_ROOT, rootUser } from './prerequisites.js';
import { cachedRootfs, ROOTFS_DIR } from './rootfs.js';
import {
  buildRelease,
  callSocket,
  listSnapshots,
  readRunRecords,
  startEmulator,
  TEST_CONFIG,
  waitFor,
  type EmulatedSnapshot,
} from './service-fixture.js';

const VERSION = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

async function unitProperties(container: Container): Promise<Record<string, string>> {
  const properties = 'ActiveState,Result,ExecMainStatus,NRestarts,MainPID,Type,NotifyAccess';
  const output = await container.run(`systemctl show selfsnap -p ${properties}`);
  return Object.fromEntries(
    output
      .trim()
      .split('\n')
      .map((line) => line.split('=', 2)),
  );
}

describeOnSystem(
  'install.sh and selfsnap.service under systemd',
  [
    rootUser,
    command('systemd-nspawn', 'systemd-container'),
    command('nsenter', 'util-linux'),
    cachedRootfs,
  ],
  () => {
    let container: Container;
    let snapshotsBeforeUninstall: EmulatedSnapshot[] = [];

    beforeAll(async () => {
      buildRelease();
      container = await Container.boot({
        rootfs: ROOTFS_DIR,
        repo: REPO_ROOT,
        name: `selfsnap-test-${process.pid}`,
      });
      await startEmulator(container);
      await container.run('mkdir -p /etc/selfsnap && cat > /etc/selfsnap/config.yaml', {
        input: TEST_CONFIG,
      });
    }, 120_000);

    afterAll(async () => {
      await container?.poweroff();
    }, 30_000);

    it('serves the socket when install.sh returns', async () => {
      const install = await container.exec(['/src/install.sh'], { timeoutMs: 90_000 });
      // A daemon that never sends READY=1 makes `systemctl start` time out after
      // TimeoutStartSec=60s, and the journal shows that timeout.
      const journal = await container.run('journalctl -u selfsnap -n 10 -o cat --no-pager');
      expect(install.code, `${install.stdout}${install.stderr}\n${journal}`).toBe(0);

      const output = install.stdout;
      expect(output).toContain('kept /etc/selfsnap/config.yaml');
      expect(output).toContain('started selfsnap.service');
      // Type=notify: `systemctl start` returned only after READY=1, so no wait is needed here.
      const status = (await callSocket(container, '/v1/status')) as { version?: string };
      expect(status.version).toBe(VERSION);
      const properties = await unitProperties(container);
      expect(properties.ActiveState).toBe('active');
      expect(properties.Type).toBe('notify');
      expect(await container.run(`stat -c '%a %U:%G' /run/selfsnap/selfsnap.sock`)).toBe(
        '660 root:selfsnap\n',
      );
    }, 100_000);

    it('passes systemd-analyze verify when installed', async () => {
      const result = await container.exec([
        'systemd-analyze',
        'verify',
        '/etc/systemd/system/selfsnap.service',
      ]);

      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    });

    it('answers status only when the user is in the group', async () => {
      await container.run('useradd -m -G selfsnap member && useradd -m outsider');

      const member = await container.exec(['selfsnap', 'status', '--json'], { user: 'member' });
      const outsider = await container.exec(['selfsnap', 'status'], { user: 'outsider' });

      expect(member.code, member.stderr).toBe(0);
      expect(JSON.parse(member.stdout)).toHaveProperty('version', VERSION);
      expect(outsider.code).toBe(4);
      expect(outsider.stderr).toMatch(/permission/i);
    });

    it('creates tagged snapshots when the schedule fires', async () => {
      const run = await waitFor(
        'a succeeded run in /var/lib/selfsnap/runs',
        async () => (await readRunRecords(container)).find((r) => r.status === 'succeeded'),
        30_000,
      );

      expect(run.trigger).toBe('schedule');
      const snapshots = await listSnapshots(container);
      const ofRun = snapshots.filter((snapshot) =>
        snapshot.tags.some((tag) => tag.key === 'selfsnap:run' && tag.value === run.id),
      );
      expect(ofRun.map((snapshot) => snapshot.snapshotId).sort()).toEqual(
        run.disks.map((disk) => disk.snapshotId).sort(),
      );
      const triggers = ofRun.map((snapshot) =>
        snapshot.tags.find((tag) => tag.key === 'selfsnap:trigger'),
      );
      expect(triggers.every((tag) => tag?.value === 'schedule')).toBe(true);
    }, 40_000);

    it('saves its state when systemctl stops it', async () => {
      await container.run('systemctl stop selfsnap');

      const properties = await unitProperties(container);
      expect(properties.ActiveState).toBe('inactive');
      expect(properties.Result).toBe('success');
      expect(properties.ExecMainStatus).toBe('0');
      const journal = await container.run('journalctl -u selfsnap -o cat --no-pager');
      expect(journal).toContain('"msg":"stopping"');
      expect(journal).toContain('"msg":"daemon stopped"');
      expect(journal).toContain('Stopped selfsnap.service');
      const runFiles = await container.run('ls /var/lib/selfsnap/runs');
      expect(runFiles.trim().split('\n').length).toBeGreaterThan(0);
    });

    it('keeps config and state when reinstalled', async () => {
      await container.run('echo "# kept by upgrade" >> /etc/selfsnap/config.yaml');
      const runsBefore = await container.run('ls /var/lib/selfsnap/runs');

      const output = await container.run('/src/install.sh');

      expect(output).toContain('kept /etc/selfsnap/config.yaml');
      expect(await container.run('tail -n 1 /etc/selfsnap/config.yaml')).toBe(
        '# kept by upgrade\n',
      );
      const runsAfter = await container.run('ls /var/lib/selfsnap/runs');
      expect(runsAfter.trim().split('\n')).toEqual(
        expect.arrayContaining(runsBefore.trim().split('\n')),
      );
      expect((await unitProperties(container)).ActiveState).toBe('active');
    });

    it('runs the single executable when given --runtime sea', async () => {
      const output = await container.run('/src/install.sh --runtime sea');

      expect(output).toContain('restarted selfsnap.service');
      const properties = await unitProperties(container);
      expect(properties.ActiveState).toBe('active');
      const executable = await container.run(`readlink /proc/${properties.MainPID}/exe`);
      expect(executable.trim()).toBe('/opt/selfsnap/lib/selfsnap-linux-x64');
      // With the daemon up, `selfsnap version` prints "<cli> (daemon <daemon>)".
      expect((await container.run('selfsnap version')).split(' ')[0]?.trim()).toBe(VERSION);
    });

    it('stays stopped when the config is invalid', async () => {
      await container.run('cp /etc/selfsnap/config.yaml /root/config.yaml');
      await container.run('echo "policies: 5" >> /etc/selfsnap/config.yaml');

      const restart = await container.exec(['systemctl', 'restart', 'selfsnap']);
      // RestartSec=5s: a restart, were there one, would have happened within 6 s.
      await new Promise((resolve) => setTimeout(resolve, 6_000));

      expect(restart.code).not.toBe(0);
      const properties = await unitProperties(container);
      expect(properties.ExecMainStatus).toBe('78');
      expect(properties.ActiveState).toBe('failed');
      expect(properties.NRestarts).toBe('0');
      await container.run('cp /root/config.yaml /etc/selfsnap/config.yaml');
      await container.run('systemctl reset-failed selfsnap && systemctl start selfsnap');
      expect((await unitProperties(container)).ActiveState).toBe('active');
    }, 30_000);

    it('keeps config, state and snapshots when uninstalled', async () => {
      // Stop first: a run in flight may still create snapshots while the daemon drains.
      await container.run('systemctl stop selfsnap');
      snapshotsBeforeUninstall = await listSnapshots(container);

      const output = await container.run('/src/install.sh --uninstall');

      expect(output).toContain('kept /etc/selfsnap and /var/lib/selfsnap');
      const leftover = await container.exec([
        'sh',
        '-c',
        'test -e /etc/systemd/system/selfsnap.service || test -e /opt/selfsnap || ' +
          'test -e /usr/local/bin/selfsnap || systemctl is-active --quiet selfsnap',
      ]);
      expect(leftover.code).not.toBe(0);
      await container.run('test -f /etc/selfsnap/config.yaml && ls /var/lib/selfsnap/runs/*.json');
      const snapshots = await listSnapshots(container);
      expect(snapshots.map((s) => s.snapshotId).sort()).toEqual(
        snapshotsBeforeUninstall.map((s) => s.snapshotId).sort(),
      );
    });

    it('keeps every snapshot when purged', async () => {
      const output = await container.run('/src/install.sh --uninstall --purge');

      expect(output).toContain('purged /etc/selfsnap, /var/lib/selfsnap');
      const left = await container.exec([
        'sh',
        '-c',
        'test -e /etc/selfsnap || test -e /var/lib/selfsnap || getent group selfsnap',
      ]);
      expect(left.code).not.toBe(0);
      expect((await listSnapshots(container)).length).toBe(snapshotsBeforeUninstall.length);
    });
  },
);
