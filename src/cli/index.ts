import { toSelfsnapError } from '../errors/index.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { runWithoutYargs } from './run-without-yargs.js';
import { UsageError } from './usage-error.js';

/** Parses the command line, runs the command, and resolves to the process exit code. */
export async function main(argv = process.argv.slice(2)): Promise<number> {
  try {
    const code = await runWithoutYargs(argv);
    if (code !== undefined) return code;
    // yargs and every command module load only for a command line the direct path leaves.
    const { runWithYargs } = await import('./run-with-yargs.js');
    return await runWithYargs(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`selfsnap: ${error.message}\nRun "selfsnap --help" for usage.\n`);
      return EXIT.usage;
    }
    const wrapped = toSelfsnapError(error);
    process.stderr.write(`selfsnap: ${wrapped.message}\n`);
    return exitCodeFor(wrapped.code);
  }
}
