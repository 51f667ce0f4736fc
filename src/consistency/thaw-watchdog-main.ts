// Entry point the daemon spawns as `node thaw-watchdog-main.js <deadline ms>`.
import { runThawWatchdog } from './thaw-watchdog.js';

runThawWatchdog(process.argv.slice(2));
