import type { ArgumentsCamelCase, Argv, CommandModule, InferredOptionTypes, Options } from 'yargs';
import { DEFAULT_SOCKET_PATH } from '../socket/socket-client.js';

/**
 * The config file read without `--config` or `SELFSNAP_CONFIG`: DEFAULT_CONFIG_PATH of src/config,
 * repeated here because importing it loads the config schema, which commands on the socket skip.
 */
export const DEFAULT_CONFIG_FILE = '/etc/selfsnap/config.yaml';

/** An option that parse-option-args.ts can parse the way yargs does: a flag, text or a number. */
export interface PlainOption {
  type?: 'string' | 'boolean' | 'number';
  choices?: readonly string[];
  default?: unknown;
  describe?: string;
  hidden?: boolean;
}

/** The options of a command, by their kebab-case name. */
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

/** A required positional argument: any word, or one of `choices`. */
export type PlainPositional =
  { type: 'string'; describe?: string } | { choices: readonly string[]; describe?: string };

/** The positional arguments of a command, in order, by name. */
export type PositionalTable = Record<string, PlainPositional>;

/** The value of a positional argument: a string, or the union of its choices. */
type PositionalValue<P extends PlainPositional> = P extends { choices: readonly (infer C)[] }
  ? C
  : string;

/** The values a command with the option table `O` and the positional table `P` is given. */
type DirectValues<O extends OptionTable, P extends PositionalTable> = InferredOptionTypes<
  O & Record<string, Options>
> & { [name in keyof P]: PositionalValue<P[name]> };

/** The arguments, with camelCase copies, a command with the tables `O` and `P` receives. */
export type DirectArgs<O extends OptionTable, P extends PositionalTable> = ArgumentsCamelCase<
  DirectValues<O, P>
>;

/** The part of a command that run-without-yargs.ts runs: its two tables and its `run`. */
export interface DirectCommand {
  options: OptionTable;
  positionals: PositionalTable;
  run(args: Record<string, unknown>): Promise<number>;
}

/** A command that run-without-yargs.ts can also run, when parseOptionArgs reads its line. */
export interface DirectCommandModule<
  O extends OptionTable,
  P extends PositionalTable,
> extends CommandModule<object, DirectValues<O, P>> {
  options: O;
  positionals: P;
  // Method syntax, so that a command with any tables is also a DirectCommand.
  run(args: DirectArgs<O, P>): Promise<number>;
}

/**
 * Builds a command whose arguments are options and required positionals. yargs gets the
 * same tables as parseOptionArgs, which reads common command lines without loading yargs, so
 * the two cannot drift apart. `command` is the name alone; the positionals follow it in order.
 */
export function defineDirectCommand<
  O extends OptionTable,
  P extends PositionalTable = Record<never, never>,
>(spec: {
  command: string;
  describe: string;
  positionals?: P;
  options: O;
  epilog?: string;
  run: (args: DirectArgs<O, P>) => Promise<number>;
}): DirectCommandModule<O, P> {
  const positionals = spec.positionals ?? ({} as P);
  const names = Object.keys(positionals);
  return {
    command: [spec.command, ...names.map((name) => `<${name}>`)].join(' '),
    describe: spec.describe,
    options: spec.options,
    positionals,
    run: spec.run,
    builder: (argv) => {
      for (const name of names) {
        argv.positional(name, { demandOption: true, ...positionals[name] });
      }
      if (spec.epilog !== undefined) argv.epilog(spec.epilog);
      return argv.options(spec.options as O & Record<string, Options>) as unknown as Argv<
        DirectValues<O, P>
      >;
    },
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
