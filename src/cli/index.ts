import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { toSelfsnapError } from '../errors/index.js';
import { VERSION } from '../version.js';
import { checkCommand } from './check-command.js';
import { daemonCommand } from './daemon-command.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { hooksCommand } from './hooks-command.js';
import { listCommand } from './list-command.js';
import { pinCommand, unpinCommand } from './pin-command.js';
import { pruneCommand } from './prune-command.js';
import { restoreCommand } from './restore-command.js';
import { runCommand } from './run-command.js';
import { runsCommand } from './runs-command.js';
import { snapshotCommand } from './snapshot-command.js';
import { statusCommand } from './status-command.js';
import { versionCommand } from './version-command.js';

/** Parses the command line, runs the command, and resolves to the process exit code. */
export async function main(argv = hideBin(process.argv)): Promise<number> {
  const parser = yargs(argv)
    .scriptName('selfsnap')
    .version(VERSION)
    .strict()
    .demandCommand(1, 'name a command, for example: selfsnap status')
    .command(daemonCommand)
    .command(statusCommand)
    .command(listCommand)
    .command(pruneCommand)
    .command(pinCommand)
    .command(unpinCommand)
    .command(runsCommand)
    .command(runCommand)
    .command(snapshotCommand)
    .command(checkCommand)
    .command(restoreCommand)
    .command(hooksCommand)
    .command(versionCommand)
    .completion('completion', 'print a bash or zsh completion script')
    // Throwing is what stops yargs: a failure handler that returns lets the command run anyway.
    .fail((message, error) => {
      if (error !== undefined && error !== null) throw error;
      throw new UsageError(message);
    })
    .help();

  try {
    await parser.parseAsync();
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`selfsnap: ${error.message}\nRun "selfsnap --help" for usage.\n`);
      return EXIT.usage;
    }
    const wrapped = toSelfsnapError(error);
    process.stderr.write(`selfsnap: ${wrapped.message}\n`);
    return exitCodeFor(wrapped.code);
  }
  return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
}

/** A command line yargs rejected: an unknown flag, a missing argument or a bad choice. */
class UsageError extends Error {}
