import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freezeSupportGap, LoopMounts, run } from '../consistency/real-filesystems.js';
import { callAction, connectEcsClient, type EcsClient } from '../emulator/sdk-client.js';
import { realSystemIt } from '../support/require-real-system.js';
import { SEEDED_DISK_IDS, startWorld, type CaseWorld } from './case-world.js';
import { checkInvariants, type CaseEvidence } from './invariants.js';

// The checker must be able to fail: each case breaks one invariant by hand, through the SDK or
// the file system, and expects exactly that violation.
describe('checkInvariants', () => {
  let world: CaseWorld;
  let client: EcsClient;
  let folder: string;

  beforeEach(async () => {
    world = await startWorld();
    ({ client } = await connectEcsClient(world.emulator));
    folder = await mkdtemp(join(tmpdir(), 'selfsnap-invariants-'));
  });

  afterEach(async () => {
    await world.emulator.close();
    await rm(folder, { recursive: true, force: true });
  });

  function evidence(extra: Partial<CaseEvidence> = {}): CaseEvidence {
    return { emulator: world.emulator, foreign: world.foreign, lines: [], ...extra };
  }

  async function createOwnSnapshot(runId: string, diskId: string = SEEDED_DISK_IDS[1]) {
    const body = await callAction(client, 'CreateSnapshot', {
      DiskId: diskId,
      'Tag.1.Key': 'selfsnap:instance',
      'Tag.1.Value': world.emulator.instance.instanceId,
      'Tag.2.Key': 'selfsnap:run',
      'Tag.2.Value': runId,
    });
    return body.SnapshotId as string;
  }

  it('finds nothing when nothing happened', async () => {
    expect(await checkInvariants(evidence())).toEqual([]);
  });

  it('reports two snapshots of one disk in one run', async () => {
    const first = await createOwnSnapshot('run-1');
    const second = await createOwnSnapshot('run-1');

    expect(await checkInvariants(evidence())).toEqual([
      `duplicate snapshots for run and disk run-1 ${SEEDED_DISK_IDS[1]}: ${second},${first}`,
    ]);
  });

  it('reports a foreign snapshot that was deleted', async () => {
    const target = world.foreign.find((snapshot) => snapshot.usage === 'none');
    await callAction(client, 'DeleteSnapshot', { SnapshotId: target?.snapshotId as string });

    expect(await checkInvariants(evidence())).toEqual([
      `foreign snapshot ${target?.snapshotId} was deleted`,
      `DeleteSnapshot touched foreign snapshot ${target?.snapshotId}`,
      `DeleteSnapshot ${target?.snapshotId} sent without retention rules`,
    ]);
  });

  it('reports a foreign snapshot whose description changed', async () => {
    const target = world.foreign[0]?.snapshotId as string;
    await callAction(client, 'ModifySnapshotAttribute', {
      SnapshotId: target,
      Description: 'edited',
    });

    expect(await checkInvariants(evidence())).toEqual([
      `foreign snapshot ${target} changed: description`,
      `ModifySnapshotAttribute touched foreign snapshot ${target}`,
    ]);
  });

  it('reports an own snapshot lost without retention rules', async () => {
    const own = await createOwnSnapshot('run-2');
    await callAction(client, 'DeleteSnapshot', { SnapshotId: own });

    expect(await checkInvariants(evidence({ ownBefore: [own], knownOwnIds: [own] }))).toEqual([
      `DeleteSnapshot ${own} sent without retention rules`,
      `own snapshot ${own} is gone without retention rules`,
    ]);
  });

  it('reports a secret that reached a log line', async () => {
    const [issued] = world.emulator.control.issuedCredentials();
    const line = `{"msg":"signing","secret":"${issued?.accessKeySecret}"}`;

    const violations = await checkInvariants(evidence({ lines: [line] }));

    expect(violations).toHaveLength(2);
    expect(violations[0]).toBe(`access key secret of ${issued?.accessKeyId} appears in: ${line}`);
  });

  it('reports a security token cut short in a socket response', async () => {
    const [issued] = world.emulator.control.issuedCredentials();
    const text = `{"token":"${issued?.securityToken.slice(0, 60)}"}`;

    expect(await checkInvariants(evidence({ texts: [text] }))).toEqual([
      `part of the token of ${issued?.accessKeyId} appears in: ${text}`,
    ]);
  });

  it('reports state files that do not parse and old temporary files', async () => {
    await mkdir(join(folder, 'runs'));
    await writeFile(join(folder, 'runs/r-1.json'), '{"id": "r-1", "disks": [');
    const leftover = join(folder, 'runs/.r-2.json.0a1b.tmp');
    await writeFile(leftover, '{}');
    await utimes(leftover, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    await writeFile(join(folder, 'runs/r-3.json.corrupt'), 'garbage');

    expect(await checkInvariants(evidence({ stateDir: folder }))).toEqual([
      `leftover file ${leftover}`,
      `state file ${join(folder, 'runs/r-1.json')} does not parse as JSON`,
    ]);
  });

  it('reports a daemon that does not answer on its socket', async () => {
    const socketPath = join(folder, 'missing.sock');

    const violations = await checkInvariants(evidence({ socketPath }));

    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatch(
      /^the daemon does not respond on .*missing\.sock: connect ENOENT/,
    );
  });
});

describe('checkInvariants on filesystems', () => {
  const realIt = realSystemIt(freezeSupportGap());

  realIt('reports and thaws a filesystem left frozen', async () => {
    const world = await startWorld();
    const folder = await mkdtemp(join(tmpdir(), 'selfsnap-invariants-fs-'));
    const mounts = new LoopMounts();
    try {
      const mountpoint = await mounts.mount(join(folder, 'fs.img'), join(folder, 'mnt'));
      await run('fsfreeze', ['-f', mountpoint]);
      const evidence = { emulator: world.emulator, foreign: world.foreign, lines: [] };

      expect(await checkInvariants({ ...evidence, frozenMountpoints: [mountpoint] })).toEqual([
        `${mountpoint} was still frozen`,
      ]);
      expect(await checkInvariants({ ...evidence, frozenMountpoints: [mountpoint] })).toEqual([]);
    } finally {
      await mounts.cleanUp();
      await rm(folder, { recursive: true, force: true });
      await world.emulator.close();
    }
  });
});
