import { DEFAULT_CONFIG_FILE, defineDirectCommand } from './command.js';

/** `selfsnap daemon`: runs the agent in the foreground, as selfsnap.service does. */
export const daemonCommand = defineDirectCommand({
  command: 'daemon',
  describe: 'run the agent in the foreground (what selfsnap.service runs)',
  options: {
    config: {
      type: 'string',
      describe: 'config file (env SELFSNAP_CONFIG)',
      default: process.env.SELFSNAP_CONFIG ?? DEFAULT_CONFIG_FILE,
    },
    socket: {
      type: 'string',
      describe: 'socket path instead of socket.path in the config (env SELFSNAP_SOCKET)',
      default: process.env.SELFSNAP_SOCKET,
    },
    json: {
      type: 'boolean',
      default: false,
      describe: 'log JSON lines even on a terminal (they always are under systemd)',
    },
  } as const,
  run: async (args) => {
    // The daemon pulls in the cloud SDK; load it only for this command.
    const { runDaemon } = await import('../daemon/run-daemon.js');
    return runDaemon(args.config, { socketPath: args.socket, json: args.json });
  },
});
