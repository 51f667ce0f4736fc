import type { ArgumentsCamelCase, Argv, CommandModule, InferredOptionTypes, Options } from 'yargs';
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

/** An option that parse-option-args.ts can parse the way yargs does: a flag, text or a number. */
export interface PlainOption {
  type?: 'string' | 'boolean' | 'number';
  choices?: readonly string[];
  default?: unknown;
  describe?: string;
  hidden?: boolean;
}

/** The options of a command that takes no positional arguments, by their kebab-case name. */
export type OptionTable = Record<string, PlainOption>;

/** `--socket` and `--json`, which every command that talks to the daemon takes. */
export const COMMON_OPTIONS = {
  socket: {
    type: 'string',
    describe: 'path of the daemon socket (env SELFSNAP_SOCKET)',
    default: process.env.SELFSNAP_SOCKET ?? DEFAULT_SOCKET_PATH,
  },
  json: { type: 'boolean', describe: 'print JSON', default: false },
} as const satisfies OptionTable;

/** Adds `--socket` and `--json` to a command. */
export function withCommonOptions<T>(argv: Argv<T>): Argv<T & CommonArgs> {
  return argv.option('socket', COMMON_OPTIONS.socket).option('json', COMMON_OPTIONS.json);
}

/**
 * Builds a yargs command whose `run` resolves to the exit code. Each command lives in its own
 * `<name>-command.ts` and takes one line in run-with-yargs.ts. A `run` that needs heavy modules
 * imports them itself, so that commands which only call the socket start fast.
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

/** The arguments a command with the option table `O` receives. */
export type OptionArgs<O extends OptionTable> = ArgumentsCamelCase<
  InferredOptionTypes<O & Record<string, Options>>
>;

/** The part of a command that run-without-yargs.ts runs: its option table and its `run`. */
export interface DirectCommand {
  options: OptionTable;
  run(args: Record<string, unknown>): Promise<number>;
}

/** A command line of a name and options only, which run-without-yargs.ts can run directly. */
export interface OptionCommand<O extends OptionTable = OptionTable> extends CommandModule<
  object,
  InferredOptionTypes<O & Record<string, Options>>
> {
  options: O;
  // Method syntax, so that a command with any option table is also a DirectCommand.
  run(args: OptionArgs<O>): Promise<number>;
}

/**
 * Builds a command that takes no positional arguments. yargs gets the same option table as the
 * parser that runs common command lines without loading yargs, so the two cannot drift apart.
 */
export function defineOptionCommand<O extends OptionTable>(spec: {
  command: string;
  describe: string;
  options: O;
  run: (args: OptionArgs<O>) => Promise<number>;
}): OptionCommand<O> {
  return {
    command: spec.command,
    describe: spec.describe,
    options: spec.options,
    run: spec.run,
    builder: (argv) => argv.options(spec.options as O & Record<string, Options>),
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
