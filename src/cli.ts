#!/usr/bin/env node
// THAW_WATCHDOG_COMMAND of src/consistency, repeated so that the CLI loads the watchdog module and
// child_process only for a watchdog. test/cli/cli-watchdog-entry.test.ts keeps the two equal.
const THAW_WATCHDOG_ARGUMENT = '__thaw-watchdog';

// A thaw watchdog started through the hidden argument must not wait for the CLI's modules, so
// they are imported only when this process is not one. runThawWatchdogIfRequested looks for the
// argument at argv[1] and argv[2], with or without a script path.
const isWatchdog =
  process.argv.slice(1, 3).includes(THAW_WATCHDOG_ARGUMENT) &&
  (await import('./consistency/thaw-watchdog.js')).runThawWatchdogIfRequested();
if (!isWatchdog) {
  const { main } = await import('./cli/index.js');
  // Exit explicitly: the daemon leaves keep-alive sockets and timers behind once it has stopped.
  // Writes to stdout and stderr are synchronous for files and pipes on Linux, so nothing is lost.
  process.exit(await main());
}
