import yargs, { type CommandModule } from 'yargs';
import { describe, expect, it } from 'vitest';
import type { OptionTable, PositionalTable } from '../../src/cli/command.js';
import { checkCommand } from '../../src/cli/check-command.js';
import { daemonCommand } from '../../src/cli/daemon-command.js';
import { runHookCommand } from '../../src/cli/hooks-command.js';
import { listCommand } from '../../src/cli/list-command.js';
import { parseOptionArgs } from '../../src/cli/parse-option-args.js';
import { pinCommand, unpinCommand } from '../../src/cli/pin-command.js';
import { pruneCommand } from '../../src/cli/prune-command.js';
import { restoreCommand } from '../../src/cli/restore-command.js';
import { runShowCommand } from '../../src/cli/run-command.js';
import { DIRECT_COMMANDS } from '../../src/cli/run-without-yargs.js';
import { runsCommand } from '../../src/cli/runs-command.js';
import { snapshotCommand } from '../../src/cli/snapshot-command.js';
import { statusCommand } from '../../src/cli/status-command.js';
import { versionCommand } from '../../src/cli/version-command.js';

type DirectCommandModule = CommandModule<object, object> & {
  options: OptionTable;
  positionals: PositionalTable;
};

const COMMANDS = {
  check: checkCommand,
  daemon: daemonCommand,
  'hooks run': runHookCommand,
  list: listCommand,
  pin: pinCommand,
  prune: pruneCommand,
  restore: restoreCommand,
  'run show': runShowCommand,
  runs: runsCommand,
  snapshot: snapshotCommand,
  status: statusCommand,
  unpin: unpinCommand,
  version: versionCommand,
} as unknown as Record<string, DirectCommandModule>;

/** Parses a command line with yargs as the CLI configures it; returns the handler's arguments. */
async function parseWithYargs(name: string, tokens: string[]): Promise<unknown> {
  let parsed: Record<string, unknown> | undefined;
  const [group, subcommand] = name.split(' ') as [string, string | undefined];
  const command = COMMANDS[name] as DirectCommandModule;
  const capturing: CommandModule<object, object> = {
    ...command,
    handler: (args) => void (parsed = args),
  };

  // A subcommand sits under its group's command, as `run show` does in run-command.ts.
  const registered: CommandModule<object, object> =
    subcommand === undefined
      ? capturing
      : {
          command: group,
          describe: group,
          builder: (argv) => argv.command(capturing),
          handler: () => undefined,
        };

  try {
    await yargs([...name.split(' '), ...tokens])
      .scriptName('selfsnap')
      .version('0.0.0')
      .strict()
      .exitProcess(false)
      .command(registered)
      .fail((message, error) => {
        throw error ?? new Error(message);
      })
      .help()
      .parseAsync();
  } catch (error) {
    return `rejected: ${(error as Error).message}`;
  }

  if (parsed === undefined) return 'no handler ran';
  const args = { ...parsed };
  delete args._;
  delete args.$0;
  return args;
}

// A small deterministic generator (mulberry32), so that a failing sweep repeats exactly.
function createRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

const VALUES = [
  'accepted',
  'none',
  'hook',
  'manual',
  'running',
  'nightly',
  'apt',
  'post',
  '20',
  '1e3',
];
const ODD_VALUES = ['', '-5', '-', '--', 'true', 'false', 'a=b', '"quoted"', 'two words'];
const UNKNOWN_FLAGS = ['--polcy', '--no-json', '--dryRun', '--json=true', '-j', 'extra', '--'];

function randomTokens(random: () => number, command: DirectCommandModule): string[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const names = Object.keys(command.options);
  // A positional with choices mostly gets one of them, so that some lines are accepted.
  const tokens = Object.values(command.positionals).map((positional) =>
    'choices' in positional && random() < 0.8 ? pick(positional.choices) : pick(VALUES),
  );
  const length = Math.floor(random() * 6);
  for (let index = 0; index < length; index++) {
    const roll = random();
    const value = random() < 0.7 ? pick(VALUES) : pick(ODD_VALUES);
    if (roll < 0.45) tokens.push(`--${pick(names)}`, value);
    else if (roll < 0.7) tokens.push(`--${pick(names)}=${value}`);
    else if (roll < 0.85) tokens.push(`--${pick(names)}`);
    else tokens.push(random() < 0.5 ? pick(UNKNOWN_FLAGS) : value);
  }
  return tokens;
}

describe('parseOptionArgs', () => {
  it.each(Object.keys(COMMANDS))('is the registered direct command for %s', async (name) => {
    const load = DIRECT_COMMANDS[name];

    expect(load).toBeDefined();
    expect(await (load as () => Promise<unknown>)()).toBe(COMMANDS[name]);
  });

  it('registers no direct command that this test does not cover', () => {
    expect(Object.keys(DIRECT_COMMANDS).sort()).toEqual(Object.keys(COMMANDS).sort());
  });

  it.each([
    ['snapshot', []],
    ['snapshot', ['--wait', 'accepted', '--reason', 'before upgrade', '--json']],
    ['snapshot', ['--wait=none', '--policy=nightly', '--timeout', '10m', '--trigger', 'hook']],
    ['snapshot', ['--reason=', '--reason-less']],
    ['snapshot', ['--reason=-5']],
    ['prune', ['--dry-run', '--policy', 'nightly']],
    ['runs', ['--limit', '5', '--status', 'failed']],
    ['runs', ['--limit=0']],
    ['daemon', ['--config', '/etc/selfsnap/config.yaml', '--socket', '/tmp/s.sock', '--json']],
    ['status', ['--socket', '/run/selfsnap/selfsnap.sock']],
    ['list', ['--disk', 'd-1', '--transaction', '3f9c0a1b2d4e']],
    ['version', ['--json']],
    ['pin', ['s-1', '--reason', 'keep']],
    ['pin', ['--json', 's-1']],
    ['pin', ['--reason=keep', '007']],
    ['unpin', ['s-1']],
    ['run show', ['r-1', '--json']],
    ['hooks run', ['apt', '--phase', 'post', '--transaction', '3f9c0a1b2d4e']],
    ['hooks run', ['--json', 'dnf']],
    ['restore', ['--before', '2h', '--disk', 'd-1', '--yes']],
    ['check', ['--config=/etc/selfsnap/config.yaml']],
  ])('returns what yargs returns for %s %j', async (name, tokens) => {
    const command = COMMANDS[name] as DirectCommandModule;
    const expected = await parseWithYargs(name, tokens);

    const parsed = parseOptionArgs(tokens, command.options, command.positionals);

    if (typeof expected === 'string') expect(parsed).toBeUndefined();
    else expect(parsed).toEqual(expected);
  });

  it.each([
    ['a misspelled option', ['--polcy', 'nightly']],
    ['a repeated option', ['--reason', 'a', '--reason', 'b']],
    ['a value outside the choices', ['--wait', 'soon']],
    ['a missing value', ['--reason']],
    ['a value that looks like an option', ['--reason', '-5']],
    ['a flag followed by true', ['--json', 'true']],
    ['a flag with a value', ['--json=false']],
    ['a negated flag', ['--no-json']],
    ['a camelCase option', ['--dryRun']],
    ['help', ['--help']],
    ['version', ['--version']],
    ['a short option', ['-h']],
    ['a quoted value after =', ['--reason="before upgrade"']],
    ['a positional argument', ['nightly']],
    ['the end of options', ['--']],
  ])('leaves %s to yargs', (_case, tokens) => {
    expect(parseOptionArgs(tokens, snapshotCommand.options)).toBeUndefined();
  });

  it.each([
    ['a missing positional', []],
    ['an extra positional', ['s-1', 's-2']],
    ['a positional that looks like an option', ['-5']],
  ])('leaves %s of pin to yargs', (_case, tokens) => {
    expect(parseOptionArgs(tokens, pinCommand.options, pinCommand.positionals)).toBeUndefined();
  });

  it('leaves a positional outside its choices to yargs', () => {
    const { options, positionals } = runHookCommand;

    expect(parseOptionArgs(['yum'], options, positionals)).toBeUndefined();
  });

  it.each([
    ['a number with a leading zero', ['--limit', '007']],
    ['a number in exponent form', ['--limit', '1e3']],
    ['a number that is not one', ['--limit', 'abc']],
  ])('leaves %s to yargs', (_case, tokens) => {
    expect(parseOptionArgs(tokens, runsCommand.options)).toBeUndefined();
  });

  it.each(Object.keys(COMMANDS))(
    'agrees with yargs on every generated command line it accepts for %s',
    async (name) => {
      const command = COMMANDS[name] as DirectCommandModule;
      const random = createRandom(name.length * 7919);
      let accepted = 0;
      let left = 0;
      for (let sample = 0; sample < 300; sample++) {
        const tokens = randomTokens(random, command);
        const parsed = parseOptionArgs(tokens, command.options, command.positionals);
        if (parsed === undefined) {
          left++;
          continue;
        }
        accepted++;
        expect({ tokens, args: await parseWithYargs(name, tokens) }).toEqual({
          tokens,
          args: parsed,
        });
      }

      expect(accepted).toBeGreaterThan(20);
      expect(left).toBeGreaterThan(20);
    },
  );
});
