import { VERSION } from '../version.js';
import { printLines, type DirectCommand } from './command.js';
import { EXIT } from './exit-codes.js';
import { parseOptionArgs } from './parse-option-args.js';

/**
 * The commands that run without yargs when parseOptionArgs accepts their command line, by name.
 * Importing yargs 18 and its dependencies measured about 100 ms of CPU on Node.js 20, more than
 * the rest of a socket command takes.
 */
export const DIRECT_COMMANDS: Record<string, () => Promise<DirectCommand>> = {
  daemon: async () => (await import('./daemon-command.js')).daemonCommand,
  list: async () => (await import('./list-command.js')).listCommand,
  prune: async () => (await import('./prune-command.js')).pruneCommand,
  runs: async () => (await import('./runs-command.js')).runsCommand,
  snapshot: async () => (await import('./snapshot-command.js')).snapshotCommand,
  status: async () => (await import('./status-command.js')).statusCommand,
  version: async () => (await import('./version-command.js')).versionCommand,
};

/**
 * Runs `--version` or a command of a name and options only, loading just that command's module.
 * Resolves to the exit code, or to undefined when yargs must parse the command line instead.
 */
export async function runWithoutYargs(argv: readonly string[]): Promise<number | undefined> {
  if (argv.length === 1 && argv[0] === '--version') {
    printLines(VERSION);
    return EXIT.ok;
  }
  const [name, ...tokens] = argv;
  if (name === undefined || !Object.hasOwn(DIRECT_COMMANDS, name)) return undefined;
  const command = await (DIRECT_COMMANDS[name] as () => Promise<DirectCommand>)();

  const args = parseOptionArgs(tokens, command.options);
  if (args === undefined) return undefined;
  return command.run({ ...args, _: [name], $0: 'selfsnap' });
}
