// The thaw watchdog runs as its own process, outside the daemon, so a frozen filesystem is thawed
// even when the daemon is killed or hangs. It imports node: modules and fsfreeze.ts only, so it
// starts fast and can be bundled on its own.
import { createInterface } from 'node:readline';
import { runFsfreeze } from './fsfreeze.js';

/** A line the daemon sends on the watchdog's stdin, as JSON. */
export type WatchdogCommand = { type: 'freeze'; mountpoint: string } | { type: 'release' };

/** A line the watchdog sends on its stdout, as JSON. */
export type WatchdogReport = { type: 'ready' } | { type: 'expired' };

// After the deadline, the watchdog thaws again at this interval until the daemon releases it or
// dies. A freeze still in flight at the deadline, such as fsfreeze -f flushing a lot of dirty
// data, completes after the first pass and would otherwise stay frozen.
const RETHAW_INTERVAL_MS = 1000;

/** Hidden CLI argument that makes a bundled selfsnap run as the watchdog, as its first argument. */
export const THAW_WATCHDOG_COMMAND = '__thaw-watchdog';

/**
 * Runs the watchdog and returns true when the process was started as one through
 * `THAW_WATCHDOG_COMMAND`; a bundled CLI entry calls this before it parses its arguments. The
 * argument is looked for at argv[1] and argv[2], so it is found with or without a script path.
 */
export function runThawWatchdogIfRequested(argv: string[] = process.argv): boolean {
  const index = [1, 2].find((position) => argv[position] === THAW_WATCHDOG_COMMAND);
  if (index === undefined) return false;
  runThawWatchdog(argv.slice(index + 1));
  return true;
}

/**
 * Runs the watchdog: `args[0]` is the deadline in ms from now. Every mountpoint announced on
 * stdin is thawed (last announced first) when the deadline passes, when stdin closes without a
 * release because the daemon died, or on SIGTERM, SIGINT or SIGHUP; a release ends it quietly.
 */
export function runThawWatchdog(args: string[]): void {
  const timeoutMs = Number(args[0]);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    log(50, 'invalid deadline; expected a positive number of ms', { argument: args[0] });
    process.exit(2);
  }
  const watchdog = new ThawWatchdog(timeoutMs);
  watchdog.start();
}

class ThawWatchdog {
  private readonly armedAt = Date.now();
  private readonly mountpoints: string[] = [];
  private thawing: Promise<void> = Promise.resolve();
  private deadlineTimer?: NodeJS.Timeout;
  private rethawTimer?: NodeJS.Timeout;

  constructor(private readonly timeoutMs: number) {}

  start(): void {
    process.stdout.on('error', () => {
      // EPIPE once the daemon is gone; the watchdog does its work without an audience.
    });
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
      process.on(signal, () => this.finish(`signal ${signal}`));
    }
    const input = createInterface({ input: process.stdin });
    input.on('line', (line) => this.handle(line));
    input.on('close', () => this.finish('daemon closed the pipe'));

    this.deadlineTimer = setTimeout(() => this.expire(), this.timeoutMs);
    report({ type: 'ready' });
  }

  private handle(line: string): void {
    let command: WatchdogCommand;
    try {
      command = JSON.parse(line) as WatchdogCommand;
    } catch {
      log(40, 'ignoring a line that is not JSON', { line: line.slice(0, 200) });
      return;
    }
    if (command.type === 'freeze' && typeof command.mountpoint === 'string') {
      this.mountpoints.push(command.mountpoint);
    } else if (command.type === 'release') {
      log(20, 'released by the daemon', { mountpoints: this.mountpoints });
      process.exit(0);
    }
  }

  private expire(): void {
    log(40, 'freeze deadline passed; thawing', { timeoutMs: this.timeoutMs });
    void this.thawAll('deadline').then(() => report({ type: 'expired' }));
    this.rethawTimer = setInterval(() => void this.thawAll('deadline'), RETHAW_INTERVAL_MS);
  }

  private finish(reason: string): void {
    clearTimeout(this.deadlineTimer);
    clearInterval(this.rethawTimer);
    void this.thawAll(reason).then(() => process.exit(0));
  }

  /** Runs one thaw pass after any pass in progress, so passes never overlap. */
  private thawAll(reason: string): Promise<void> {
    this.thawing = this.thawing.then(async () => {
      for (const mountpoint of [...this.mountpoints].reverse()) {
        await thaw(mountpoint, reason, Date.now() - this.armedAt);
      }
    });
    return this.thawing;
  }
}

async function thaw(mountpoint: string, reason: string, sinceArmedMs: number): Promise<void> {
  const result = await runFsfreeze('thaw', mountpoint);
  if (result.ok) {
    log(30, 'filesystem thawed', { mountpoint, reason, sinceArmedMs });
  } else if (!result.notFrozen) {
    // Not frozen (EINVAL) is the normal case after the daemon's own thaw and stays quiet.
    log(50, 'thaw failed', { mountpoint, reason, err: result.message });
  }
}

function report(message: WatchdogReport): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** Writes one pino-style JSON line to stderr, inherited from the daemon, so journald gets it. */
function log(level: number, msg: string, fields: Record<string, unknown> = {}): void {
  const line = {
    level,
    time: new Date().toISOString(),
    service: 'selfsnap',
    component: 'thaw-watchdog',
    pid: process.pid,
    ...fields,
    msg,
  };
  process.stderr.write(`${JSON.stringify(line)}\n`);
}
