import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { Daemon } from '../../src/daemon.js';
import { SelfsnapError } from '../../src/errors/index.js';
import { MetadataClient } from '../../src/metadata/index.js';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { waitUntil } from '../support/wait.js';
import { LogCapture } from './engine-harness.js';

describe('metadata service that never answers', () => {
  let emulator: Emulator | undefined;
  let folder: string | undefined;
  let daemon: Daemon | undefined;

  afterEach(async () => {
    await daemon?.stop();
    await emulator?.close();
    if (folder !== undefined) await rm(folder, { recursive: true, force: true });
    daemon = undefined;
  });

  function client(endpoint: string, retries = 2) {
    return new MetadataClient({
      endpoint,
      tokenTtlSeconds: 21_600,
      allowTokenless: false,
      timeoutMs: 300,
      retries,
    });
  }

  it('names the step and the timeout when the service hangs', async () => {
    emulator = await startEmulator({ scenario: { faults: { imdsHang: true } } });
    const started = Date.now();

    const error = (await client(emulator.imdsUrl)
      .get('instance-id', 'identity')
      .then(
        () => undefined,
        (caught: unknown) => caught,
      )) as SelfsnapError;

    // Three attempts of 300 ms plus backoffs of 200 and 400 ms.
    expect(Date.now() - started).toBeLessThan(3000);
    expect(error).toBeInstanceOf(SelfsnapError);
    expect(error.code).toBe('METADATA_UNAVAILABLE');
    expect(error.message).toBe(
      'metadata identity lookup failed after 3 attempts: metadata token request failed (tokenless access is disabled): PUT /latest/api/token timed out after 300 ms',
    );
    const tokenRequests = emulator.control.imdsRequests().filter((r) => r.method === 'PUT');
    expect(tokenRequests).toHaveLength(3);
  });

  it('returns undefined from find when the path does not exist', async () => {
    emulator = await startEmulator();
    const metadata = client(emulator.imdsUrl);

    expect(await metadata.find('disks/nosuchserial/id', 'disks')).toBeUndefined();
    expect(await metadata.find('disks/bp1selfsnap0dat00001/id', 'disks')).toBe(
      'd-bp1selfsnap0dat00001',
    );
    const lookups = emulator.control.imdsRequests().filter((r) => r.path.includes('nosuchserial'));
    expect(lookups).toHaveLength(1);
  });

  it('keeps the daemon up and degraded when metadata hangs', async () => {
    emulator = await startEmulator({ scenario: { faults: { imdsHang: true } } });
    folder = await mkdtemp(join(tmpdir(), 'selfsnap-degraded-'));
    const config = parseConfig(
      JSON.stringify({
        metadata: { endpoint: emulator.imdsUrl, timeout: '300ms', retries: 0 },
        ecs: { endpoint: emulator.ecsEndpoint, protocol: 'http' },
        socket: { path: join(folder, 'selfsnap.sock'), group: null },
        stateDir: join(folder, 'state'),
        policies: { manual: { disks: 'all' } },
      }),
    );
    const logs = new LogCapture();
    daemon = new Daemon(config, logs.logger);
    await daemon.start();
    const active = daemon;

    const degraded = await waitUntil(
      async () => {
        const status = await active.status();
        return status.health.metadata.lastError === undefined ? undefined : status;
      },
      5000,
      'a failed identity lookup',
    );
    expect(degraded.ready).toBe(false);
    expect(degraded.health.status).toBe('degraded');
    expect(degraded.health.metadata.lastError).toContain('timed out after 300 ms');
    // A trigger meanwhile waits for the instance to be identified instead of failing.
    const early = active.startRun({ reason: 'before upgrade' });
    expect(logs.find('metadata service unavailable; retrying')).toHaveLength(1);

    emulator.control.setImdsHang(false);
    const ready = await waitUntil(
      async () => {
        const status = await active.status();
        return status.ready ? status : undefined;
      },
      10_000,
      'the daemon to identify the instance',
    );
    expect(ready.health.metadata.ok).toBe(true);
    expect(ready.identity?.instanceId).toBe(emulator.instance.instanceId);
    expect((await early).reason).toBe('before upgrade');
  });
});
