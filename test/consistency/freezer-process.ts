// A stand-in for the daemon: freezes the mountpoints given on the command line, prints one JSON
// line with what it froze, then waits to be killed. Run with `node --import tsx`.
import { freezeFilesystems } from '../../src/consistency/index.js';
import { createLogger } from '../../src/log/index.js';

const [timeoutMs, ...mountpoints] = process.argv.slice(2);

const frozen = await freezeFilesystems({
  mountpoints,
  timeoutMs: Number(timeoutMs),
  logger: createLogger({ level: 'silent' }),
  protectedPaths: [],
  isOnSelectedDisks: () => true,
});
process.stdout.write(
  `${JSON.stringify({ frozen: frozen.mountpoints, watchdogPid: frozen.watchdogPid })}\n`,
);
// Keeps the process alive until the test kills or stops it.
setInterval(() => undefined, 60_000);
