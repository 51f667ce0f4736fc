import { execFile } from 'node:child_process';

/** A state change the daemon reports to systemd under `Type=notify`. */
export type SystemdState = 'READY=1' | 'STOPPING=1';

/** The outcome of one notification; `failed` carries the reason for a warning in the log. */
export type NotifyResult =
  { status: 'sent' } | { status: 'skipped' } | { status: 'failed'; reason: string };

// systemd-notify waits until the manager has processed the message (unless --no-block), which
// takes milliseconds. Past this bound the manager is stuck, and the daemon goes on without it.
const NOTIFY_TIMEOUT_MS = 5_000;

/**
 * Sends a state line to the service manager when systemd started this process with
 * `NOTIFY_SOCKET` set, and skips otherwise (a foreground run, a test).
 *
 * Node.js cannot send on an AF_UNIX datagram socket, so this runs `systemd-notify`. Its
 * `--pid` names this process as the sender. With CAP_SYS_ADMIN, which the unit keeps, the
 * helper also puts that PID in the message's credentials, so the manager accepts the message
 * under `NotifyAccess=main`.
 * Never rejects, because a lost notification must not stop the daemon. systemd then fails the
 * start after `TimeoutStartSec=` and logs why in the journal.
 */
export function notifySystemd(
  state: SystemdState,
  env: NodeJS.ProcessEnv = process.env,
): Promise<NotifyResult> {
  if (env.NOTIFY_SOCKET === undefined || env.NOTIFY_SOCKET === '') {
    return Promise.resolve({ status: 'skipped' });
  }

  const args = [`--pid=${process.pid}`, state];
  return new Promise((resolve) => {
    execFile('systemd-notify', args, { env, timeout: NOTIFY_TIMEOUT_MS }, (error, _out, stderr) => {
      if (error === null) {
        resolve({ status: 'sent' });
        return;
      }
      const detail = stderr.trim() || error.message;
      resolve({ status: 'failed', reason: `systemd-notify ${state} failed: ${detail}` });
    });
  });
}
