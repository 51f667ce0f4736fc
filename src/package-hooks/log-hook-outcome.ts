import { spawn } from 'node:child_process';
import type { HookOutcome } from './hook-outcome.js';

// syslog comes on top of the terminal message and the state file, so logger gets 2 s at most.
const LOGGER_TIMEOUT_MS = 2000;

/**
 * Sends the outcome to syslog (the journal on systemd hosts) with logger(1), tagged
 * `selfsnap-hook`; failures without a restore point go at warning or error priority. A missing
 * logger or syslog socket is ignored.
 */
export async function logHookOutcome(outcome: HookOutcome): Promise<void> {
  const priority =
    outcome.result === 'failed-closed'
      ? 'user.err'
      : outcome.result === 'failed-open'
        ? 'user.warning'
        : 'user.info';
  await new Promise<void>((resolve) => {
    const child = spawn('logger', ['-t', 'selfsnap-hook', '-p', priority, '--', outcome.message], {
      stdio: 'ignore',
    });
    const timer = setTimeout(() => {
      child.kill();
      resolve();
    }, LOGGER_TIMEOUT_MS);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    child.once('error', done);
    child.once('exit', done);
  });
}
