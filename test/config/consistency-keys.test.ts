import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { SelfsnapError } from '../../src/errors/index.js';

const HOOKS = '{pre: /etc/selfsnap/pre.sh, post: /etc/selfsnap/post.sh}';

function policy(keys: string): string {
  return `policies: {db: {${keys}}}`;
}

function problemOf(text: string): string {
  try {
    parseConfig(text, 'config.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(SelfsnapError);
    expect((error as SelfsnapError).code).toBe('CONFIG_INVALID');
    return (error as Error).message;
  }
  throw new Error('config was accepted');
}

describe('parseConfig consistency keys', () => {
  it.each([
    [
      'hooks on a crash policy',
      policy(`hooks: ${HOOKS}`),
      'config.yaml: policies.db.hooks: hooks run only with consistency filesystem or application, not crash; set consistency: application or remove hooks',
    ],
    [
      'hooks on a group policy',
      policy(`consistency: group, hooks: ${HOOKS}`),
      'config.yaml: policies.db.hooks: hooks run only with consistency filesystem or application, not group; set consistency: application or remove hooks',
    ],
    [
      'freeze on a crash policy',
      policy('freeze: [/data]'),
      'config.yaml: policies.db.freeze: filesystems are frozen only with consistency filesystem or application, not crash; set consistency: filesystem or remove freeze',
    ],
    [
      'freeze on a group policy',
      policy('consistency: group, freeze: [/data]'),
      'config.yaml: policies.db.freeze: filesystems are frozen only with consistency filesystem or application, not group; set consistency: filesystem or remove freeze',
    ],
    [
      'application without hooks',
      policy('consistency: application, freeze: [/data]'),
      'config.yaml: policies.db.hooks: consistency application needs a pre hook that quiesces the application; set hooks.pre or use consistency: filesystem',
    ],
    [
      'application with only a post hook',
      policy('consistency: application, hooks: {post: /etc/selfsnap/post.sh}'),
      'config.yaml: policies.db.hooks.pre: consistency application needs a pre hook that quiesces the application; set hooks.pre or use consistency: filesystem',
    ],
  ])('rejects %s', (_name, text, message) => {
    expect(problemOf(text)).toBe(message);
  });

  it('lists every problem of a policy in one message', () => {
    const message = problemOf(policy(`freeze: [/data], hooks: ${HOOKS}`));

    expect(message).toContain('policies.db.hooks: hooks run only');
    expect(message).toContain('policies.db.freeze: filesystems are frozen only');
  });

  it('accepts the commented policies of the example config', async () => {
    const text = await readFile('config/config.yaml', 'utf8');
    // A commented policy is a `  # name:` line followed by `  #   key: value` lines.
    const policyLines = text
      .split('\n')
      .filter((line) => /^ {2}# ([a-z][a-z0-9-]*:| {2}.*)$/.test(line))
      .map((line) => line.replace('  # ', '  '));

    const config = parseConfig(`policies:\n${policyLines.join('\n')}`, 'config.yaml');

    expect(config.policies['data-frozen']).toMatchObject({
      consistency: 'filesystem',
      freeze: ['/data'],
      freezeTimeout: 10_000,
    });
    expect(config.policies.db).toMatchObject({
      consistency: 'application',
      hooks: { pre: '/etc/selfsnap/hooks/db-pre.sh', timeout: 30_000, onFailure: 'abort' },
    });
  });

  it.each([
    ['filesystem with freeze', 'consistency: filesystem, freeze: [/data]'],
    [
      'filesystem with freeze and hooks',
      `consistency: filesystem, freeze: [/data], hooks: ${HOOKS}`,
    ],
    ['application with hooks only', `consistency: application, hooks: ${HOOKS}`],
    [
      'application with hooks and freeze',
      `consistency: application, freeze: [/data], hooks: ${HOOKS}`,
    ],
    ['crash with an empty freeze list', 'freeze: []'],
  ])('accepts %s', (_name, keys) => {
    const config = parseConfig(policy(keys));

    expect(config.policies.db).toBeDefined();
  });
});
