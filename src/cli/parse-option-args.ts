import type { OptionTable, PlainOption, PositionalTable } from './command.js';

// Integers of up to 15 digits are below 2^53, so Number converts them exactly.
const MAX_INTEGER_DIGITS = 15;

/**
 * Parses the arguments after a command name the way yargs 18 does, for the forms it is sure of.
 * These are `--name value`, `--name=value`, a bare `--flag` for a boolean, and one word that does
 * not start with `-` for each positional, which must be one of its choices when it has them. It
 * returns the arguments with defaults and camelCase copies, as yargs passes them to a handler.
 * Any other command line (help, an unknown, repeated or negated option, a value outside the
 * choices, a missing or extra positional) returns undefined, so that yargs parses it and reports
 * what is wrong.
 */
export function parseOptionArgs(
  tokens: readonly string[],
  options: OptionTable,
  positionals: PositionalTable = {},
): Record<string, unknown> | undefined {
  const values = new Map<string, unknown>();
  const words: string[] = [];
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index] as string;
    if (!token.startsWith('-')) {
      words.push(token);
      continue;
    }
    if (!token.startsWith('--')) return undefined;
    const equals = token.indexOf('=');
    const name = equals === -1 ? token.slice(2) : token.slice(2, equals);
    const option = Object.hasOwn(options, name) ? options[name] : undefined;
    if (option === undefined || values.has(name)) return undefined;

    const next = tokens[index + 1];
    if (option.type === 'boolean') {
      // yargs takes a following `true` or `false` as the flag's value; leave that form to it.
      if (equals !== -1 || next === 'true' || next === 'false') return undefined;
      values.set(name, true);
      continue;
    }
    // yargs strips quotes around a value after `=`, and reads `--name -x` as two options.
    let text = token.slice(equals + 1);
    if (equals !== -1 && /^["']/.test(text)) return undefined;
    if (equals === -1) {
      if (next === undefined || next.startsWith('-')) return undefined;
      text = next;
      index++;
    }
    const value = convertValue(text, option);
    if (value === undefined) return undefined;
    values.set(name, value);
  }

  const names = Object.keys(positionals);
  if (words.length !== names.length) return undefined;
  for (const [index, name] of names.entries()) {
    const word = words[index] as string;
    const positional = positionals[name];
    if (positional !== undefined && 'choices' in positional && !positional.choices.includes(word)) {
      return undefined;
    }
    values.set(name, word);
  }
  return withDefaults(values, options, names);
}

function convertValue(text: string, option: PlainOption): string | number | undefined {
  if (option.choices !== undefined) {
    return option.type !== 'number' && option.choices.includes(text) ? text : undefined;
  }
  if (option.type === 'number') {
    // Only a plain decimal integer, whose conversion yargs and Number agree on.
    const plain = new RegExp(`^(0|[1-9][0-9]{0,${MAX_INTEGER_DIGITS - 1}})$`).test(text);
    return plain ? Number(text) : undefined;
  }
  return option.type === 'string' ? text : undefined;
}

function withDefaults(
  values: Map<string, unknown>,
  options: OptionTable,
  positionalNames: string[],
): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const name of [...positionalNames, ...Object.keys(options)]) {
    const value = values.has(name) ? values.get(name) : options[name]?.default;
    if (value === undefined) continue;
    args[name] = value;
    args[camelCase(name)] = value;
  }
  return args;
}

function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}
