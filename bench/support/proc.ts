import { spawn, type SpawnOptions } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';

/** Returns a process's resident set size in KiB (VmRSS in /proc/PID/status). */
export function readRssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (match === null) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]);
}

/**
 * Returns the CPU time a process's threads have used, in milliseconds, from the nanosecond
 * counters in /proc/PID/task/TID/schedstat. /proc/PID/stat counts only in 10 ms ticks, which is
 * too coarse for an idle process. Threads that already ended are not counted.
 */
export function readCpuMs(pid: number): number {
  let totalNs = 0;
  for (const thread of readdirSync(`/proc/${pid}/task`)) {
    const fields = readFileSync(`/proc/${pid}/task/${thread}/schedstat`, 'utf8').split(' ');
    totalNs += Number(fields[0]);
  }
  return totalNs / 1e6;
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  description: string,
  intervalMs = 5,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The outcome of a finished subprocess. */
export interface Finished {
  code: number | null;
  wallMs: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end and measures its wall time from spawn to exit. */
export function runTimed(
  command: string,
  args: readonly string[],
  options: SpawnOptions = {},
): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, wallMs: performance.now() - started, stdout, stderr }),
    );
  });
}

/** Runs a command that must succeed; throws with its stderr otherwise. */
export async function runChecked(
  command: string,
  args: readonly string[],
  options: SpawnOptions = {},
): Promise<Finished> {
  const finished = await runTimed(command, args, options);
  if (finished.code !== 0) {
    const output = `${finished.stderr}${finished.stdout}`.trim().slice(-2000);
    throw new Error(`${command} ${args.join(' ')} exited with ${finished.code}: ${output}`);
  }
  return finished;
}

/** Sends one GET over a unix socket; resolves to the HTTP status, or undefined if refused. */
export function probeSocket(socketPath: string, path: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const outgoing = request({ socketPath, path, method: 'GET' }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
    });
    outgoing.on('error', () => resolve(undefined));
    outgoing.end();
  });
}

/** Memory of a process from /proc/PID/smaps_rollup, in KiB. */
export interface MemoryRollup {
  rss: number;
  pss: number;
  /** File-backed pages shared with other processes: the node binary, its ICU data, libraries. */
  sharedClean: number;
  /** Private anonymous memory: the JavaScript heap, compiled code, buffers. */
  anonymous: number;
}

/** Reads RSS, PSS, shared clean and anonymous memory of a process. */
export function readMemoryRollup(pid: number): MemoryRollup {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const field = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(text)?.[1]);
  return {
    rss: field('Rss'),
    pss: field('Pss'),
    sharedClean: field('Shared_Clean'),
    anonymous: field('Anonymous'),
  };
}
