import yargs from 'yargs';
import { VERSION } from '../version.js';
import { checkCommand } from './check-command.js';
import { daemonCommand } from './daemon-command.js';
import { EXIT } from './exit-codes.js';
import { hooksCommand } from './hooks-command.js';
import { listCommand } from './list-command.js';
import { pinCommand, unpinCommand } from './pin-command.js';
import { pruneCommand } from './prune-command.js';
import { restoreCommand } from './restore-command.js';
import { runCommand } from './run-command.js';
import { runsCommand } from './runs-command.js';
import { snapshotCommand } from './snapshot-command.js';
import { statusCommand } from './status-command.js';
import { UsageError } from './usage-error.js';
import { versionCommand } from './version-command.js';

/** Parses the command line with yargs and runs the command. Usage errors throw UsageError. */
export async function runWithYargs(argv: string[]): Promise<number> {
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
    .check(rejectRepeatedOptions, true)
    // Throwing is what stops yargs: a failure handler that returns lets the command run anyway.
    .fail((message, error) => {
      if (error !== undefined && error !== null) throw error;
      throw new UsageError(message);
    })
    .help();

  await parser.parseAsync();
  return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
}

// yargs collects a repeated option into an array, which no command expects. A repeated --socket
// reached node:net as an array, and a repeated --policy matched no policy.
function rejectRepeatedOptions(argv: Record<string, unknown>): true {
  const repeated = Object.keys(argv).find(
    (key) => key !== '_' && key === key.toLowerCase() && Array.isArray(argv[key]),
  );
  if (repeated !== undefined) {
    throw new UsageError(`--${repeated} was given more than once; give it once`);
  }
  return true;
}
