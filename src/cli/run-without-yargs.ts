import { VERSION } from '../version.js';
import { printLines, type DirectCommand } from './command.js';
import { EXIT } from './exit-codes.js';
import { parseOptionArgs } from './parse-option-args.js';

/**
 * The commands that run without yargs when parseOptionArgs accepts their command line, by name
 * and, for a subcommand, the group's name before it.
 * Importing yargs 18 and its dependencies measured about 100 ms of CPU on Node.js 20, more than
 * the rest of a socket command takes.
 */
export const DIRECT_COMMANDS: Record<string, () => Promise<DirectCommand>> = {
  check: async () => (await import('./check-command.js')).checkCommand,
  daemon: async () => (await import('./daemon-command.js')).daemonCommand,
  'hooks run': async () => (await import('./hooks-command.js')).runHookCommand,
  list: async () => (await import('./list-command.js')).listCommand,
  pin: async () => (await import('./pin-command.js')).pinCommand,
  prune: async () => (await import('./prune-command.js')).pruneCommand,
  restore: async () => (await import('./restore-command.js')).restoreCommand,
  'run show': async () => (await import('./run-command.js')).runShowCommand,
  runs: async () => (await import('./runs-command.js')).runsCommand,
  snapshot: async () => (await import('./snapshot-command.js')).snapshotCommand,
  status: async () => (await import('./status-command.js')).statusCommand,
  unpin: async () => (await import('./pin-command.js')).unpinCommand,
  version: async () => (await import('./version-command.js')).versionCommand,
};

/**
 * Runs `--version` or one of DIRECT_COMMANDS, loading just that command's module. Resolves to
 * the exit code, or to undefined when yargs must parse the command line instead.
 */
export async function runWithoutYargs(argv: readonly string[]): Promise<number | undefined> {
  if (argv.length === 1 && argv[0] === '--version') {
    printLines(VERSION);
    return EXIT.ok;
  }
  const path = findCommandPath(argv);
  if (path === undefined) return undefined;
  const command = await (DIRECT_COMMANDS[path.join(' ')] as () => Promise<DirectCommand>)();

  const args = parseOptionArgs(argv.slice(path.length), command.options, command.positionals);
  if (args === undefined) return undefined;
  return command.run({ ...args, _: path, $0: 'selfsnap' });
}

/** Returns the command and subcommand names that start `argv` and name a direct command. */
function findCommandPath(argv: readonly string[]): string[] | undefined {
  for (const length of [1, 2]) {
    const path = argv.slice(0, length);
    if (path.length === length && Object.hasOwn(DIRECT_COMMANDS, path.join(' '))) return path;
  }
  return undefined;
}
