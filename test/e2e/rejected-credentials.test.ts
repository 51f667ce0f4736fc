import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { canCreateNamespaces } from '../support/netns.js';
import { NetnsFixture } from '../support/netns-fixture.js';
import { realSystemIt } from '../support/require-real-system.js';

const run = promisify(execFile);
const CLI = resolve(import.meta.dirname, '../../dist/cli.js');

const support = await canCreateNamespaces();
const realIt = realSystemIt(support.reason);

describe('daemon with credentials the ECS API rejects', () => {
  let fixture: NetnsFixture | undefined;

  beforeAll(async () => {
    if (!support.ok) return;
    // A lifetime of zero makes every STS set the metadata service hands out already expired.
    fixture = await NetnsFixture.start({
      policies: { manual: { disks: 'all' } },
      scenario: { settings: { credentialLifetime: 0 } },
    });
  }, 60_000);

  afterAll(async () => {
    await fixture?.stop();
  });

  realIt('records the ECS error code in the run and keeps serving', async () => {
    const active = fixture as NetnsFixture;
    const result = await run(process.execPath, [
      CLI,
      'snapshot',
      '--json',
      '--reason',
      'expired token check',
      '--socket',
      active.socketPath,
    ]).then(
      () => ({ code: 0, stdout: '', stderr: '' }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );

    expect(result.code).toBe(5);
    const answer = JSON.parse(result.stdout) as {
      run: { id: string; status: string; error?: { ecsCode?: string } };
    };
    expect(answer.run.status).toBe('failed');
    expect(answer.run.error?.ecsCode).toBe('InvalidSecurityToken.Expired');
    expect(result.stderr).toMatch(/^selfsnap: run \S+ failed: .*InvalidSecurityToken\.Expired/);

    const stored = JSON.parse(
      await readFile(join(active.folder, 'state/runs', `${answer.run.id}.json`), 'utf8'),
    ) as { status: string; error?: { ecsCode?: string } };
    expect(stored.status).toBe('failed');
    expect(stored.error?.ecsCode).toBe('InvalidSecurityToken.Expired');
    expect(await readdir(join(active.folder, 'state/runs'))).toHaveLength(1);

    const status = await run(process.execPath, [
      CLI,
      'status',
      '--json',
      '--socket',
      active.socketPath,
    ]);
    expect(JSON.parse(status.stdout)).toMatchObject({
      ready: true,
      health: { status: 'degraded' },
    });
  });
});
