#!/usr/bin/env node
import { main } from './cli/index.js';

// Exit explicitly: the daemon leaves keep-alive sockets and timers behind once it has stopped.
// Writes to stdout and stderr are synchronous for files and pipes on Linux, so nothing is lost.
process.exit(await main());
