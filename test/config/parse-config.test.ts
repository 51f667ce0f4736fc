import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/index.js';
import { SelfsnapError } from '../../src/errors/index.js';

const MINIMAL = 'policies: {nightly: {schedule: "0 3 * * *"}}';

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

describe('parseConfig', () => {
  it('fills in the documented defaults', () => {
    const config = parseConfig(MINIMAL);
    expect(config.metadata).toEqual({
      endpoint: 'http://100.100.100.200',
      tokenTtlSeconds: 21_600,
      allowTokenless: false,
      timeout: 2000,
      retries: 2,
    });
    expect(config.socket).toEqual({ path: '/run/selfsnap/selfsnap.sock', group: 'selfsnap' });
    expect(config.stateDir).toBe('/var/lib/selfsnap');
    expect(config.policies.nightly).toMatchObject({
      timezone: 'UTC',
      jitter: 0,
      disks: 'all',
      consistency: 'crash',
      retentionDays: 0,
    });
  });

  it('reads the shipped example config', async () => {
    const config = await loadConfig('config/config.yaml');
    expect(config.policies.nightly?.jitter).toBe(600_000);
    expect(config.policies.nightly?.timezone).toBe('Asia/Shanghai');
    expect(config.triggers.hook).toMatchObject({ policy: 'nightly', minInterval: 600_000 });
  });

  it.each([
    [
      'a bad cron field',
      'policies: {a: {schedule: "61 * * * *"}}',
      'policies.a.schedule: invalid cron expression "61 * * * *"',
    ],
    ['an unknown key', `${MINIMAL}\nbogus: 1`, 'unknown key bogus'],
    [
      'an unknown policy key',
      'policies: {a: {schedul: "* * * * *"}}',
      'unknown key policies.a.schedul',
    ],
    ['a bad duration', 'policies: {a: {jitter: 10q}}', 'policies.a.jitter: invalid duration "10q"'],
    [
      'a duration out of range',
      'policies: {a: {freezeTimeout: 2h}}',
      'policies.a.freezeTimeout: duration "2h" is out of range',
    ],
    [
      'an unknown timezone',
      'policies: {a: {timezone: Mars/Olympus}}',
      'policies.a.timezone: unknown timezone "Mars/Olympus"',
    ],
    ['a bad disk id', 'policies: {a: {disks: [sda]}}', 'policies.a.disks'],
    [
      'a policy name with capitals',
      'policies: {Nightly: {}}',
      'policies.Nightly: invalid name: policy names are lowercase letters, digits and dashes',
    ],
    [
      'an unknown disk selection',
      'policies: {a: {disks: everything}}',
      'policies.a.disks: expected all, system, data, a list of disk ids, or {mountpoints',
    ],
    ['an empty file', '', 'policies: define at least one policy'],
    [
      'a misspelled policies key',
      'polices: {a: {}}',
      'policies: define at least one policy; unknown key polices',
    ],
    ['no policies', 'policies: {}', 'policies: define at least one policy'],
    [
      'a reserved tag key',
      'policies: {a: {tags: {"acs:x": y}}}',
      'policies.a.tags.acs:x: invalid name: tag keys must not start with aliyun, acs:, selfsnap:',
    ],
    [
      'a token TTL out of range',
      `${MINIMAL}\nmetadata: {tokenTtlSeconds: 0}`,
      'metadata.tokenTtlSeconds',
    ],
    [
      'a hook policy that does not exist',
      `${MINIMAL}\ntriggers: {hook: {policy: other}}`,
      'triggers.hook.policy: no policy named "other"',
    ],
    ['broken YAML', 'policies: [', 'invalid YAML'],
    ['a duplicate key', `${MINIMAL}\n${MINIMAL}`, 'invalid YAML'],
  ])('rejects %s with the key path', (_case, text, expected) => {
    const message = problemOf(text);
    expect(message).toContain(expected);
    expect(message.startsWith('config.yaml: ')).toBe(true);
  });

  it('names a missing file with CONFIG_NOT_FOUND', async () => {
    await expect(loadConfig('/nonexistent/selfsnap.yaml')).rejects.toMatchObject({
      code: 'CONFIG_NOT_FOUND',
      message: 'cannot read config file /nonexistent/selfsnap.yaml: ENOENT',
    });
  });
});

describe('package version', () => {
  it('matches the version the CLI prints', async () => {
    const { VERSION } = await import('../../src/version.js');
    const manifest = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    expect(VERSION).toBe(manifest.version);
  });
});
