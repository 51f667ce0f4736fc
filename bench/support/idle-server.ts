import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { probeSocket, waitFor } from './proc.js';

// The smallest daemon-like process: Node's http server returning JSON on a unix socket.
const SERVER_SCRIPT =
  "require('http').createServer((q,s)=>s.end('{}')).listen(process.argv[1]);" +
  "process.on('SIGTERM',()=>process.exit(0))";

/** A `node -e` http server on a unix socket, the baseline of the idle-daemon figure. */
export class IdleServer {
  private constructor(
    private readonly child: ChildProcess,
    /** Milliseconds from spawn until the socket responded. */
    readonly readyMs: number,
  ) {}

  get pid(): number {
    return this.child.pid as number;
  }

  /** Spawns the server and waits until its socket responds to a request. */
  static async start(folder: string): Promise<IdleServer> {
    const socketPath = join(folder, `idle-${Date.now()}.sock`);
    const started = performance.now();
    const child = spawn(process.execPath, ['-e', SERVER_SCRIPT, socketPath], { stdio: 'ignore' });
    await waitFor(() => probeSocket(socketPath, '/'), 10_000, 'the idle server socket', 2);
    return new IdleServer(child, performance.now() - started);
  }

  /** Stops the server and waits for it to exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}
