import { callDaemon } from '../socket/socket-client.js';
import { VERSION } from '../version.js';
import { COMMON_OPTIONS, defineDirectCommand, printJson, printLines } from './command.js';
import { EXIT } from './exit-codes.js';

// The daemon's version is extra information; a slow daemon must not hold up `selfsnap version`.
const DAEMON_TIMEOUT_MS = 2000;

/** `selfsnap version`: the CLI's version, and the running daemon's when it responds. */
export const versionCommand = defineDirectCommand({
  command: 'version',
  describe: "print the version, and the daemon's when it is running",
  options: COMMON_OPTIONS,
  run: async (args) => {
    const daemon = await callDaemon<{ version: string }>(args.socket, 'GET', '/v1/status', {
      timeoutMs: DAEMON_TIMEOUT_MS,
    }).then(
      (status) => status.version,
      () => null,
    );
    if (args.json)
      printJson({ version: VERSION, daemon: daemon === null ? null : { version: daemon } });
    else printLines(daemon === null ? VERSION : `${VERSION} (daemon ${daemon})`);
    return EXIT.ok;
  },
});
