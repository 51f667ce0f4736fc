import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { realSystemIt } from '../support/require-real-system.js';
import { mountGap, ScratchMount } from '../support/scratch-mount.js';
import { waitUntil } from '../support/wait.js';
import { snapshotsOfRun, startWorld, type CaseWorld } from './case-world.js';
import { DaemonUnderTest } from './daemon-under-test.js';
import { checkInvariants } from './invariants.js';
import { printMatrixSummary } from './matrix-summary.js';

const CLI = resolve(import.meta.dirname, '../../dist/cli.js');
const POLICIES = { manual: { disks: 'all' } };

function logRecords(lines: readonly string[]): Record<string, unknown>[] {
  return lines.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

describe('daemon and its state folder', () => {
  printMatrixSummary('process: state folder and second daemon');
  const realIt = realSystemIt(mountGap());
  let world: CaseWorld;
  let daemon: DaemonUnderTest | undefined;
  let mount: ScratchMount | undefined;

  beforeEach(async () => {
    world = await startWorld();
  });

  afterEach(async () => {
    const mounted = mount;
    await daemon?.remove(async () => mounted?.unmount());
    await world.emulator.close();
    daemon = undefined;
    mount = undefined;
  });

  async function invariants(active: DaemonUnderTest) {
    return checkInvariants({
      emulator: world.emulator,
      foreign: world.foreign,
      lines: active.lines,
      texts: active.responses,
      stateDir: active.stateDir,
      socketPath: active.socketPath,
    });
  }

  it.for([1, 2, 3, 4, 5])(
    'serves from one daemon and stops the other when two start at once (round %i)',
    async () => {
      daemon = await DaemonUnderTest.prepare(world.emulator, { policies: POLICIES });
      const configPath = daemon.configPath;
      const children = [0, 1].map(() =>
        spawn(process.execPath, [CLI, 'daemon', '--json', '--config', configPath], {
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      );
      const outputs = children.map((child) => {
        const output: string[] = [];
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
        return output;
      });
      const exits = children.map(
        (child) => new Promise<number | null>((done) => child.once('exit', (code) => done(code))),
      );
      try {
        const loser = await Promise.race(exits.map((exit, index) => exit.then(() => index)));
        const winner = 1 - loser;
        const winnerOutput = outputs[winner] as string[];
        await waitUntil(
          async () => winnerOutput.join('').includes('daemon ready') || undefined,
          10_000,
          'the other daemon to serve',
          50,
        );

        expect(await exits[loser]).toBe(1);
        const stderr = (outputs[loser] as string[]).join('').split('\n');
        expect(stderr).toContain(
          `selfsnap: another selfsnap daemon is serving ${daemon.socketPath}; stop it first`,
        );
        expect(children[winner]?.exitCode).toBeNull();
        const active = daemon;
        await expect(active.status()).resolves.toMatchObject({ pid: children[winner]?.pid });
      } finally {
        for (const child of children) child.kill('SIGKILL');
      }
    },
  );

  it('starts, warns and serves when run records are damaged', async () => {
    daemon = await DaemonUnderTest.prepare(world.emulator, { policies: POLICIES });
    await daemon.start();
    const firstRun = await daemon.trigger('manual');
    await daemon.waitForRun(firstRun);
    await daemon.stop();
    const runs = join(daemon.stateDir, 'runs');
    const good = await readFile(join(runs, `${firstRun}.json`), 'utf8');
    await writeFile(
      join(runs, '20261101T030000Z-manual-aaaa.json'),
      good.slice(0, good.length / 2),
    );
    await writeFile(
      join(runs, '20261102T030000Z-manual-bbbb.json'),
      Buffer.from([0, 159, 146, 150]),
    );
    await writeFile(join(runs, '20261103T030000Z-manual-cccc.json'), 'null\n');
    await writeFile(join(runs, '20261104T030000Z-manual-dddd.json'), '{"id": 42, "disks": {}}');
    const leftover = join(runs, `.${firstRun}.json.1a2b3c4d.tmp`);
    await writeFile(leftover, good.slice(0, 10));
    await utimes(leftover, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));

    await daemon.start();
    const secondRun = await daemon.trigger('manual');

    expect((await daemon.waitForRun(secondRun)).status).toBe('succeeded');
    const warnings = logRecords(daemon.lines).filter(
      (r) => r.msg === 'skipping unreadable run record',
    );
    const damaged = [
      '20261101T030000Z-manual-aaaa.json',
      '20261102T030000Z-manual-bbbb.json',
      '20261103T030000Z-manual-cccc.json',
      '20261104T030000Z-manual-dddd.json',
    ];
    expect(warnings.map((record) => record.file).sort()).toEqual(damaged);
    const files = await readdir(runs);
    expect(files.filter((name) => name.endsWith('.corrupt')).sort()).toEqual(
      damaged.map((name) => `${name}.corrupt`),
    );
    expect(files.filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect((await daemon.run(firstRun)).status).toBe('succeeded');
    expect(await invariants(daemon)).toEqual([]);
  });

  realIt('makes its snapshots and keeps serving when the state folder is full', async () => {
    daemon = await DaemonUnderTest.prepare(world.emulator, {
      policies: POLICIES,
      stateSubdir: 'volume/state',
    });
    mount = await ScratchMount.create(join(daemon.folder, 'volume'), 256);
    await daemon.start();
    await mount.fill();

    const runId = await daemon.trigger('manual');
    const run = await daemon.waitForRun(runId);

    expect(run.status).toBe('succeeded');
    expect(snapshotsOfRun(world.emulator, runId)).toHaveLength(3);
    const failures = logRecords(daemon.lines).filter((r) => r.msg === 'cannot save run record');
    expect(failures.length).toBeGreaterThan(0);
    expect(await invariants(daemon)).toEqual([]);
    expect(await readdir(join(daemon.stateDir, 'runs'))).toEqual([]);
  });

  realIt(
    'makes its snapshots and keeps serving when the state folder turns read-only',
    async () => {
      daemon = await DaemonUnderTest.prepare(world.emulator, {
        policies: POLICIES,
        stateSubdir: 'volume/state',
      });
      mount = await ScratchMount.create(join(daemon.folder, 'volume'), 1024);
      await daemon.start();
      await mount.remount('ro');

      const runId = await daemon.trigger('manual');
      const run = await daemon.waitForRun(runId);

      expect(run.status).toBe('succeeded');
      expect(snapshotsOfRun(world.emulator, runId)).toHaveLength(3);
      expect(await invariants(daemon)).toEqual([]);
    },
  );

  realIt('starts and serves when the state folder is read-only from the start', async () => {
    daemon = await DaemonUnderTest.prepare(world.emulator, {
      policies: POLICIES,
      stateSubdir: 'volume/state',
    });
    mount = await ScratchMount.create(join(daemon.folder, 'volume'), 1024);
    await mkdir(join(daemon.stateDir, 'runs'), { recursive: true });
    await mount.remount('ro');

    await daemon.start();
    const runId = await daemon.trigger('manual');

    expect((await daemon.waitForRun(runId)).status).toBe('succeeded');
    expect(await invariants(daemon)).toEqual([]);
  });
});
