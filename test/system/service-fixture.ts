import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Container } from './container.js';
import { REPO_ROOT } from './prerequisites.js';

/** The emulator's ECS listener inside the container (its own network namespace). */
export const ECS_ADDRESS = '127.0.0.1:18081';
export const SOCKET = '/run/selfsnap/selfsnap.sock';

/**
 * The config the installed daemon runs with: the real metadata address (bound on the
 * container's lo), the emulator's ECS endpoint over plain HTTP, and a run every 5 seconds.
 */
export const TEST_CONFIG = `
metadata:
  endpoint: http://100.100.100.200
ecs:
  endpoint: ${ECS_ADDRESS}
  protocol: http
socket:
  path: ${SOCKET}
  group: selfsnap
stateDir: /var/lib/selfsnap
log:
  level: info
policies:
  frequent:
    schedule: "*/5 * * * * *"
    timezone: UTC
    disks: all
`;

/** Builds dist/release (bundle and single executable, and with `tarball` the tarball). */
export function buildRelease(options: { tarball?: boolean } = {}): void {
  const args = [
    'run',
    '--silent',
    'build:release',
    ...(options.tarball ? ['--', '--tarball'] : []),
  ];
  execFileSync('npm', args, { cwd: REPO_ROOT, stdio: 'pipe' });
}

/**
 * Binds 100.100.100.200 on the container's lo and runs the emulator there as a transient unit,
 * then waits until its control endpoint responds.
 */
export async function startEmulator(container: Container): Promise<void> {
  await container.run('ip link set lo up && ip addr add 100.100.100.200/32 dev lo');
  await container.run(
    'systemd-run --unit=emulator --working-directory=/src ' +
      '/usr/bin/node /src/node_modules/tsx/dist/cli.mjs /src/test/emulator/main.ts ' +
      `--imds 100.100.100.200:80 --ecs ${ECS_ADDRESS}`,
  );
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const probe = await container.exec(['curl', '-sf', `http://${ECS_ADDRESS}/_emulator/disks`]);
    if (probe.code === 0) return;
    await sleep(200);
  }
  const journal = await container.exec(['journalctl', '-u', 'emulator', '--no-pager']);
  throw new Error(`emulator did not start within 30 s:\n${journal.stdout}`);
}

/** A snapshot as the emulator's control endpoint lists it. */
export interface EmulatedSnapshot {
  snapshotId: string;
  tags: Array<{ key: string; value: string }>;
}

/** Lists every snapshot the emulator holds, as the cloud would see them. */
export async function listSnapshots(container: Container): Promise<EmulatedSnapshot[]> {
  const body = await container.run(`curl -sf http://${ECS_ADDRESS}/_emulator/snapshots`);
  return (JSON.parse(body) as { snapshots: EmulatedSnapshot[] }).snapshots;
}

/** A run as the daemon journals it in /var/lib/selfsnap/runs/<id>.json. */
export interface RunRecordFile {
  id: string;
  trigger: string;
  status: string;
  disks: Array<{ diskId: string; snapshotId?: string }>;
}

/** Reads every run the daemon has journaled in its state folder. */
export async function readRunRecords(container: Container): Promise<RunRecordFile[]> {
  const output = await container.run(
    'for file in /var/lib/selfsnap/runs/*.json; do if [ -e "$file" ]; then cat "$file"; echo; fi; done',
  );
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RunRecordFile);
}

/** Calls the daemon's socket API as root with curl, as an operator would. */
export async function callSocket(container: Container, path: string): Promise<unknown> {
  const body = await container.run(`curl -sf --unix-socket ${SOCKET} http://localhost${path}`);
  return JSON.parse(body);
}

/** Polls `check` every 500 ms until it returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(
  description: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await sleep(500);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
}
