import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SelfsnapError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import {
  THAW_WATCHDOG_COMMAND,
  type WatchdogCommand,
  type WatchdogReport,
} from './thaw-watchdog.js';

/** The program and arguments that start the watchdog; the deadline in ms is appended. */
export interface WatchdogCommandLine {
  file: string;
  args: string[];
}

/** Options for starting a watchdog. */
export interface WatchdogOptions {
  timeoutMs: number;
  logger: Logger;
  command?: WatchdogCommandLine;
  /** Destination of the watchdog's JSON log lines; the daemon's own stderr unless set. */
  stderr?: 'inherit' | 'ignore';
}

// Node starts in well under a second; the margin covers a loaded machine and the tsx loader.
const READY_TIMEOUT_MS = 10_000;

/**
 * Returns how to start the watchdog. From dist/ it is the compiled `thaw-watchdog-main.js` next
 * to this module. From TypeScript source (tests, tsx) it is the `.ts` entry through the tsx
 * loader, a devDependency. From a bundle, which has no such file, it is the running CLI itself
 * with the hidden `THAW_WATCHDOG_COMMAND` argument.
 */
export function resolveWatchdogCommand(moduleUrl: string = import.meta.url): WatchdogCommandLine {
  const modulePath = fileURLToPath(moduleUrl);
  const folder = dirname(modulePath);
  if (modulePath.endsWith('.ts')) {
    const loader = pathToFileURL(createRequire(moduleUrl).resolve('tsx')).href;
    const entry = join(folder, 'thaw-watchdog-main.ts');
    return { file: process.execPath, args: ['--import', loader, entry] };
  }
  const compiled = join(folder, 'thaw-watchdog-main.js');
  if (existsSync(compiled)) return { file: process.execPath, args: [compiled] };

  // A bundle runs as `node selfsnap.cjs ...`, so argv[1] is the script to start again. A single
  // executable built with Node.js 20 repeats its own path as argv[1], so it starts alone; the
  // release tests check both command lines.
  const script = process.argv[1];
  const scriptArgs = script === undefined || script === process.execPath ? [] : [script];
  return { file: process.execPath, args: [...scriptArgs, THAW_WATCHDOG_COMMAND] };
}

/** The daemon's handle on a running thaw watchdog. */
export class WatchdogProcess {
  private expiredFlag = false;
  private exited = false;
  private closed = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly logger: Logger,
    /** `performance.now()` at the watchdog's deadline, counted from before its spawn. */
    private readonly deadlineAt: number,
  ) {}

  /**
   * Starts a watchdog in its own session, so it outlives the daemon and signals sent to the
   * daemon's process group, and waits until it reports that its deadline timer runs.
   */
  static async start(options: WatchdogOptions): Promise<WatchdogProcess> {
    const command = options.command ?? resolveWatchdogCommand();
    // The watchdog starts its timer after this, so this deadline never comes after its own.
    const deadlineAt = performance.now() + options.timeoutMs;
    const child = spawn(command.file, [...command.args, String(options.timeoutMs)], {
      cwd: '/',
      detached: true,
      stdio: ['pipe', 'pipe', options.stderr ?? 'inherit'],
    });
    child.unref();
    const watchdog = new WatchdogProcess(child, options.logger, deadlineAt);
    try {
      await watchdog.waitUntilReady();
    } catch (error) {
      watchdog.abandon();
      child.kill('SIGKILL');
      throw error;
    }
    options.logger.debug(
      { watchdogPid: child.pid, timeoutMs: options.timeoutMs },
      'watchdog armed',
    );
    return watchdog;
  }

  /**
   * True once the deadline has passed, so the watchdog may have thawed already, and once it has
   * reported its thaw. The daemon's clock starts before the watchdog's, so this is never late.
   */
  get expired(): boolean {
    return this.expiredFlag || performance.now() >= this.deadlineAt;
  }

  /** True while the watchdog still guards the freeze: running, before its deadline. */
  get armed(): boolean {
    return !this.expiredFlag && !this.exited && !this.closed;
  }

  /** Process id of the watchdog. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Adds a mountpoint to what the watchdog thaws; call before freezing it. */
  announceFreeze(mountpoint: string): void {
    this.send({ type: 'freeze', mountpoint });
  }

  /** Tells the watchdog that every filesystem is thawed, so it exits without thawing. */
  release(): void {
    this.send({ type: 'release' });
    this.abandon();
  }

  /** Closes the pipe without a release, so the watchdog thaws everything right away and exits. */
  abandon(): void {
    if (this.closed) return;
    this.closed = true;
    this.child.stdin?.end();
    this.child.stdout?.destroy();
  }

  private send(command: WatchdogCommand): void {
    if (this.closed) return;
    this.child.stdin?.write(`${JSON.stringify(command)}\n`);
  }

  private waitUntilReady(): Promise<void> {
    const child = this.child;
    child.stdin?.on('error', (error) => this.logger.warn({ err: error }, 'watchdog pipe failed'));
    return new Promise((resolve, reject) => {
      const fail = (reason: string, cause?: unknown) => {
        clearTimeout(timer);
        const message = `thaw watchdog did not start (${reason}); nothing was frozen`;
        reject(new SelfsnapError('FREEZE_FAILED', message, { cause }));
      };
      const timer = setTimeout(() => fail(`no answer in ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
      child.once('error', (error) => fail(error.message, error));
      child.once('exit', (code, signal) => {
        this.exited = true;
        fail(`exited with ${signal ?? `code ${code}`}`);
      });
      const lines = createInterface({ input: child.stdout as NonNullable<typeof child.stdout> });
      lines.on('line', (line) => {
        const report = parseReport(line);
        if (report?.type === 'ready') {
          clearTimeout(timer);
          resolve();
        } else if (report?.type === 'expired') {
          this.expiredFlag = true;
          this.logger.warn('watchdog thawed at the freeze deadline');
        }
      });
    });
  }
}

function parseReport(line: string): WatchdogReport | undefined {
  try {
    return JSON.parse(line) as WatchdogReport;
  } catch {
    return undefined;
  }
}
