// `npm run demo`: the emulator and a real daemon, a manual restore point and a scheduled run,
// narrated in plain words. It needs no cloud account and leaves nothing behind.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { waitForLine, waitUntil } from '../support/wait.js';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../..');
const CLI = join(REPO, 'dist/cli.js');
const INSIDE_FLAG = 'SELFSNAP_DEMO_IN_NAMESPACE';
const METADATA_ADDRESS = '100.100.100.200';

interface DemoRun {
  trigger: string;
  status: string;
}

interface DemoStatus {
  ready: boolean;
  identity: { instanceId: string; regionId: string; zoneId: string };
  recentRuns: DemoRun[];
}

interface DemoConfig {
  metadata: { endpoint: string };
  ecs: { endpoint?: string };
  socket: { path: string };
  stateDir: string;
}

function say(text: string): void {
  process.stdout.write(`\n== ${text}\n`);
}

function show(output: string): void {
  process.stdout.write(`${output.trimEnd().replace(/^/gm, '   ')}\n`);
}

/** Re-runs this script in a private network namespace when the machine allows it. */
function runInNamespace(): number | undefined {
  const probe = spawnSync('unshare', ['-rn', 'true'], { stdio: 'ignore' });
  if (probe.status !== 0) return undefined;
  const child = spawnSync(
    'unshare',
    ['-rn', process.execPath, ...process.execArgv, ...process.argv.slice(1)],
    {
      stdio: 'inherit',
      env: { ...process.env, [INSIDE_FLAG]: '1' },
    },
  );
  return child.status ?? 1;
}

/** Binds the metadata address on the namespace's loopback; false when that is not possible. */
function bindMetadataAddress(): boolean {
  const up = spawnSync('ip', ['link', 'set', 'lo', 'up'], { stdio: 'ignore' });
  const add = spawnSync('ip', ['addr', 'add', `${METADATA_ADDRESS}/32`, 'dev', 'lo'], {
    stdio: 'ignore',
  });
  return up.status === 0 && add.status === 0;
}

async function startDemoEmulator(realAddress: boolean): Promise<Emulator> {
  const scenario = { settings: { snapshotDuration: '4s' } };
  if (realAddress) {
    return startEmulator({
      imds: { host: METADATA_ADDRESS, port: 80 },
      ecs: { host: '127.0.0.1', port: 0 },
      scenario,
    });
  }
  return startEmulator({ scenario });
}

async function writeDemoConfig(folder: string, emulator: Emulator, realAddress: boolean) {
  const config = parse(await readFile(join(REPO, 'config/demo.yaml'), 'utf8')) as DemoConfig;
  config.ecs.endpoint = emulator.ecsEndpoint;
  config.socket.path = join(folder, 'selfsnap.sock');
  config.stateDir = join(folder, 'state');
  if (!realAddress) config.metadata.endpoint = emulator.imdsUrl;
  const path = join(folder, 'config.yaml');
  await writeFile(path, stringify(config));
  return { path, socket: config.socket.path };
}

async function cli(socket: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [CLI, ...args, '--socket', socket]);
  return stdout;
}

async function status(socket: string): Promise<DemoStatus> {
  return JSON.parse(await cli(socket, 'status', '--json')) as DemoStatus;
}

async function main(): Promise<number> {
  const inside = process.env[INSIDE_FLAG] === '1';
  if (!inside) {
    const code = runInNamespace();
    if (code !== undefined) return code;
  }
  const realAddress = inside && bindMetadataAddress();
  const folder = await mkdtemp(join(tmpdir(), 'selfsnap-demo-'));
  let emulator: Emulator | undefined;
  let daemon: ChildProcess | undefined;
  try {
    emulator = await startDemoEmulator(realAddress);
    say(
      realAddress
        ? `emulator is serving the metadata service on ${METADATA_ADDRESS}:80 inside a private network namespace, and the ECS API on ${emulator.ecsEndpoint}`
        : `this machine cannot create a private network namespace, so the emulator serves the metadata service on ${emulator.imdsUrl} and the daemon is pointed there (credentials are then read by selfsnap, not by the SDK's own RAM-role provider)`,
    );
    const config = await writeDemoConfig(folder, emulator, realAddress);
    show(`config: ${config.path} (from config/demo.yaml)`);

    daemon = spawn(process.execPath, [CLI, 'daemon', '--config', config.path], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await waitForLine(daemon, /daemon ready/, 15_000);
    const ready = await waitUntil(
      async () => {
        const current = await status(config.socket);
        return current.ready ? current : undefined;
      },
      15_000,
      'the daemon to identify its instance',
    );
    say(
      `daemon is up: instance ${ready.identity.instanceId} in ${ready.identity.regionId}, zone ${ready.identity.zoneId}`,
    );

    say(
      'an operator asks for a restore point before an upgrade: selfsnap snapshot --wait accepted',
    );
    const started = Date.now();
    const manual = await cli(
      config.socket,
      'snapshot',
      '--reason',
      'before upgrading nginx',
      '--wait',
      'accepted',
    );
    show(manual);
    show(`returned in ${Date.now() - started} ms, once the cloud accepted every snapshot`);

    say(
      'the snapshots finish in the background; meanwhile the "frequent" policy fires every 15 seconds',
    );
    const finished = await waitUntil(
      async () => {
        const current = await status(config.socket);
        const scheduled = current.recentRuns.find(
          (entry) => entry.trigger === 'schedule' && entry.status !== 'running',
        );
        const manualDone = current.recentRuns.find(
          (entry) => entry.trigger === 'manual' && entry.status !== 'running',
        );
        return scheduled && manualDone ? current : undefined;
      },
      60_000,
      'a finished manual run and a finished scheduled run',
    );
    show(await cli(config.socket, 'status'));

    const snapshots = emulator.control.snapshots();
    say(`the emulated cloud now holds ${snapshots.length} snapshots, all made by selfsnap:`);
    for (const snapshot of snapshots) {
      show(
        `${snapshot.snapshotId}  ${snapshot.sourceDiskId}  ${snapshot.status}  ${snapshot.snapshotName}`,
      );
    }
    const failed = finished.recentRuns.filter((entry) => entry.status !== 'succeeded');
    say(
      failed.length === 0
        ? 'every run succeeded; stopping the daemon'
        : `${failed.length} runs did not succeed`,
    );
    return failed.length === 0 ? 0 : 1;
  } finally {
    if (daemon !== undefined && daemon.exitCode === null) {
      const exited = new Promise((done) => daemon?.once('exit', done));
      daemon.kill('SIGTERM');
      await exited;
    }
    await emulator?.close();
    await rm(folder, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `demo failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
