import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

/** The built CLI; `npm run build` makes it. */
export const CLI = resolve(import.meta.dirname, '../../dist/cli.js');

/** What one run of the CLI printed and how it exited. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Returns a child's exit code from execFile's error: 0 without one, -1 when it was killed. */
export function exitCodeOf(error: { code?: unknown } | null): number {
  if (error === null) return 0;
  return typeof error.code === 'number' ? error.code : -1;
}

/** Runs the built CLI with `args` and resolves however it exits. */
export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; command?: string[] } = {},
): Promise<CliResult> {
  const [file, ...prefix] = options.command ?? [process.execPath];
  // Tests name the socket with --socket; a SELFSNAP_SOCKET from the shell must not interfere.
  const inherited = { ...process.env };
  delete inherited.SELFSNAP_SOCKET;
  delete inherited.SELFSNAP_CONFIG;
  return new Promise((done) => {
    execFile(
      file as string,
      [...prefix, CLI, ...args],
      { env: { ...inherited, ...options.env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        done({ code: exitCodeOf(error), stdout, stderr });
      },
    );
  });
}
