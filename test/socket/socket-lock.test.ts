import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireSocketLock } from '../../src/socket/socket-lock.js';

const LOCK_MODULE = resolve(import.meta.dirname, '../../src/socket/socket-lock.ts');

describe('acquireSocketLock', () => {
  it('gives the lock of a path to one holder at a time', async () => {
    const path = `/tmp/selfsnap-lock-test-${process.pid}.sock`;
    const first = await acquireSocketLock(path);

    expect(first).toBeDefined();
    expect(await acquireSocketLock(path)).toBeUndefined();
    const other = await acquireSocketLock(`${path}.other`);
    expect(other).toBeDefined();
    await other?.release();
    await first?.release();
    const again = await acquireSocketLock(path);
    expect(again).toBeDefined();
    await again?.release();
  });

  it('frees the lock when its holder is killed with SIGKILL', async () => {
    const path = `/tmp/selfsnap-lock-test-${process.pid}-killed.sock`;
    const holder = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import(${JSON.stringify(LOCK_MODULE)}).then(async ({ acquireSocketLock }) => {
          const lock = await acquireSocketLock(${JSON.stringify(path)});
          console.log(lock === undefined ? 'busy' : 'held');
          setInterval(() => undefined, 1000);
        });`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const output = await new Promise<string>((done) =>
      holder.stdout.once('data', (chunk: Buffer) => done(chunk.toString().trim())),
    );
    expect(output).toBe('held');
    expect(await acquireSocketLock(path)).toBeUndefined();

    const exited = new Promise((done) => holder.once('exit', done));
    holder.kill('SIGKILL');
    await exited;

    const lock = await acquireSocketLock(path);
    expect(lock).toBeDefined();
    await lock?.release();
  });
});
