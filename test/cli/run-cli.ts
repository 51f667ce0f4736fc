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
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        done({ code, stdout, stderr });
      },
    );
  });
}
