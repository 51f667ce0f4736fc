#!/usr/bin/env node
import { runThawWatchdogIfRequested } from './consistency/thaw-watchdog.js';

// A thaw watchdog started through the hidden argument must not wait for yargs and the cloud SDK
// to load, so the CLI is imported only when this process is not one.
if (!runThawWatchdogIfRequested()) {
  const { main } = await import('./cli/index.js');
  // Exit explicitly: the daemon leaves keep-alive sockets and timers behind once it has stopped.
  // Writes to stdout and stderr are synchronous for files and pipes on Linux, so nothing is lost.
  process.exit(await main());
}
