import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { DEFAULT_CONFIG_PATH } from '../config/load-config.js';
import { parseDuration } from '../config/duration.js';
import { SelfsnapError, toSelfsnapError } from '../errors/index.js';
import { DEFAULT_SOCKET_PATH } from '../socket/socket-client.js';
import { VERSION } from '../version.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { snapshotCommand } from './snapshot-command.js';
import { statusCommand } from './status-command.js';

const socketOption = {
  type: 'string',
  describe: 'path of the daemon socket',
  default: process.env.SELFSNAP_SOCKET ?? DEFAULT_SOCKET_PATH,
} as const;
const jsonOption = { type: 'boolean', describe: 'print JSON', default: false } as const;

/** Parses the command line, runs the command, and resolves to the process exit code. */
export async function main(argv = hideBin(process.argv)): Promise<number> {
  let exitCode: number = EXIT.ok;
  const parser = yargs(argv)
    .scriptName('selfsnap')
    .version(VERSION)
    .strict()
    .demandCommand(1, 'name a command, for example: selfsnap status')
    .command(
      'daemon',
      'run the agent in the foreground (what selfsnap.service runs)',
      (command: Argv) =>
        command.option('config', {
          type: 'string',
          describe: 'config file',
          default: process.env.SELFSNAP_CONFIG ?? DEFAULT_CONFIG_PATH,
        }),
      async (args) => {
        const { runDaemon } = await import('../daemon.js');
        exitCode = await runDaemon(args.config);
      },
    )
    .command(
      'status',
      'show identity, health, policies and recent runs',
      (command: Argv) => command.option('socket', socketOption).option('json', jsonOption),
      async (args) => {
        exitCode = await statusCommand(args.socket, args.json);
      },
    )
    .command(
      'snapshot',
      'snapshot the disks of a policy now, through the daemon',
      (command: Argv) =>
        command
          .option('socket', socketOption)
          .option('json', jsonOption)
          .option('policy', {
            type: 'string',
            describe: 'policy to run (default: the hook policy, else the first)',
          })
          .option('reason', {
            type: 'string',
            describe: 'why, recorded in the snapshot description',
          })
          .option('wait', {
            choices: ['none', 'accepted', 'available', 'accomplished'] as const,
            default: 'accepted' as const,
            describe: 'return once the snapshots are accepted, available or accomplished',
          })
          .option('timeout', {
            type: 'string',
            default: '60s',
            describe: 'longest wait, e.g. 60s or 10m',
          })
          .option('trigger', {
            choices: ['manual', 'hook'] as const,
            default: 'manual' as const,
            hidden: true,
          }),
      async (args) => {
        const timeoutMs = parseDuration(args.timeout);
        if (timeoutMs === undefined) {
          throw new SelfsnapError(
            'REQUEST_INVALID',
            `invalid --timeout "${args.timeout}": use e.g. 60s or 10m`,
          );
        }
        exitCode = await snapshotCommand({
          socket: args.socket,
          json: args.json,
          policy: args.policy,
          reason: args.reason,
          trigger: args.trigger,
          wait: args.wait,
          timeoutMs,
        });
      },
    )
    .command('version', 'print the version', {}, () => {
      process.stdout.write(`${VERSION}\n`);
    })
    .fail((message, error) => {
      if (error !== undefined && error !== null) throw error;
      process.stderr.write(`selfsnap: ${message}\nRun "selfsnap --help" for usage.\n`);
      exitCode = EXIT.usage;
    })
    .help();

  try {
    await parser.parseAsync();
  } catch (error) {
    const wrapped = toSelfsnapError(error);
    process.stderr.write(`selfsnap: ${wrapped.message}\n`);
    return exitCodeFor(wrapped.code);
  }
  return exitCode;
}
