import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { resolve } from 'node:path';

/** Held while a daemon serves a socket path; released on close or when the process dies. */
export interface SocketLock {
  release(): Promise<void>;
}

/**
 * Takes the lock of a socket path: a listener on a Linux abstract unix socket named after the
 * path. Binding an abstract name either succeeds or fails with EADDRINUSE in one step, and the
 * name goes away with the process that bound it, so two daemons started at the same moment
 * cannot both pass the stale-socket check, and a daemon killed with SIGKILL leaves no lock
 * behind. Resolves to undefined when another process holds the lock. Abstract names belong to a
 * network namespace, so daemons in two namespaces that share one socket file are not kept apart.
 */
export async function acquireSocketLock(path: string): Promise<SocketLock | undefined> {
  const digest = createHash('sha256').update(resolve(path)).digest('hex').slice(0, 40);
  const server = createServer((connection) => connection.destroy());
  const bound = await new Promise<boolean>((done, fail) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') done(false);
      else fail(error);
    });
    server.listen(`\0selfsnap-socket-lock-${digest}`, () => done(true));
  });
  if (!bound) return undefined;
  server.unref();
  return { release: () => closeServer(server) };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((done) => server.close(() => done()));
}
