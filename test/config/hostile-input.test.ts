import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { SelfsnapError } from '../../src/errors/index.js';

const POLICY = 'policies:\n  nightly:\n    schedule: "0 3 * * *"\n';

function refusal(text: string): SelfsnapError {
  try {
    parseConfig(text, 'c.yaml');
  } catch (error) {
    if (error instanceof SelfsnapError) return error;
    throw error;
  }
  throw new Error('the config was accepted');
}

function aliasBomb(levels: number): string {
  const lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let level = 1; level < levels; level++) {
    lines.push(
      `l${level}: &l${level} [${Array(9)
        .fill(`*l${level - 1}`)
        .join(',')}]`,
    );
  }
  return `${lines.join('\n')}\n${POLICY}`;
}

describe('parseConfig with hostile input', () => {
  it('rejects a YAML alias bomb with CONFIG_INVALID', () => {
    const error = refusal(aliasBomb(9));

    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toBe(
      'c.yaml: (top level): the file cannot be read as a config (Excessive alias count indicates a resource exhaustion attack)',
    );
  });

  it('rejects block nesting deep enough to overflow the stack', () => {
    const nested = Array.from({ length: 4000 }, (_, level) => `${' '.repeat(level + 1)}k:`);
    const error = refusal(`extra:\n${nested.join('\n')} 1\n${POLICY}`);

    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toBe('c.yaml: (top level): the file nests too deeply to be a config');
  });

  it('names the key path and line of a duplicate key', () => {
    const error = refusal(`${POLICY}    schedule: "0 4 * * *"\n`);

    expect(error.message).toBe(
      'c.yaml: policies.nightly.schedule: invalid YAML: duplicate key (line 4, column 5)',
    );
  });

  it('names the line of a syntax error outside any key', () => {
    const error = refusal('policies:\n\tnightly: {}\n');

    expect(error.message).toBe(
      'c.yaml: line 2, column 1: invalid YAML: Tabs are not allowed as indentation',
    );
  });

  it('quotes and escapes a key of binary junk on one line', () => {
    const error = refusal(`${POLICY}    "\\u0001bad\\nkey": 1\n`);

    expect(error.message).toBe('c.yaml: unknown key policies.nightly."\\u0001bad\\nkey"');
  });

  it('cuts a key far longer than any valid one', () => {
    const error = refusal(`policies:\n  ${'a'.repeat(500)}:\n    schedule: "0 3 * * *"\n`);

    expect(error.message).toBe(
      `c.yaml: policies.${'a'.repeat(40)}…: invalid name: policy names are lowercase letters, digits and dashes, starting with a letter`,
    );
    expect(error.message.length).toBeLessThan(300);
  });

  it('lists five problems and counts the rest', () => {
    const keys = Array.from({ length: 8 }, (_, index) => `    jitter${index}: 1`).join('\n');
    const retention =
      '    retention: {keepLast: x, daily: x, weekly: x, monthly: x, yearly: x, minKeep: x}\n';
    const error = refusal(`${POLICY}${retention}${keys}\n`);

    expect(error.message.split('; ')).toHaveLength(6);
    expect(error.message.endsWith('; 2 more')).toBe(true);
  });

  it('escapes control characters in a bad value', () => {
    const error = refusal(`${POLICY}    jitter: "10\\nminutes"\n`);

    expect(error.message).toBe(
      'c.yaml: policies.nightly.jitter: invalid duration "10\\u000aminutes": use e.g. 30s, 10m, 2h',
    );
  });
});
