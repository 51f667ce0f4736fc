// Loaded with `node --import`: records every module URL the process resolves into the file that
// SELFSNAP_IMPORT_LOG names, so a test can see what a CLI command loaded.
import { register } from 'node:module';
import process from 'node:process';

register('./record-imports-hooks.mjs', import.meta.url, {
  data: { logFile: process.env.SELFSNAP_IMPORT_LOG },
});
