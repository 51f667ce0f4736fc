import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { DEFAULT_SOCKET_PATH } from '../socket/socket-client.js';

/**
 * The config file read without `--config` or `SELFSNAP_CONFIG`: DEFAULT_CONFIG_PATH of src/config,
 * repeated here because importing it loads the config schema, which commands on the socket skip.
 */
export const DEFAULT_CONFIG_FILE = '/etc/selfsnap/config.yaml';

/** Options every command that talks to the daemon takes. */
export interface CommonArgs {
  socket: string;
  json: boolean;
}

/** Adds `--socket` and `--json` to a command. */
export function withCommonOptions<T>(argv: Argv<T>): Argv<T & CommonArgs> {
  return argv
    .option('socket', {
      type: 'string',
      describe: 'path of the daemon socket (env SELFSNAP_SOCKET)',
      default: process.env.SELFSNAP_SOCKET ?? DEFAULT_SOCKET_PATH,
    })
    .option('json', { type: 'boolean', describe: 'print JSON', default: false });
}

/**
 * Builds a yargs command whose `run` resolves to the exit code. Each command lives in its own
 * `<name>-command.ts` and takes one line in index.ts. A `run` that needs heavy modules imports
 * them itself, so that commands which only call the socket start fast.
 */
export function defineCommand<A>(spec: {
  command: string | string[];
  describe: string;
  builder: (argv: Argv) => Argv<A>;
  run: (args: ArgumentsCamelCase<A>) => Promise<number>;
}): CommandModule<object, A> {
  return {
    command: spec.command,
    describe: spec.describe,
    builder: spec.builder,
    handler: async (args) => {
      process.exitCode = await spec.run(args);
    },
  };
}

/** Prints a value as indented JSON on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Prints lines on stdout. */
export function printLines(text: string): void {
  process.stdout.write(`${text}\n`);
}
