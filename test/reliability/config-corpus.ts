import { stringify } from 'yaml';
import { SeededRandom } from '../support/seeded-random.js';

/** One malformed config and where its message must point. */
export interface CorpusCase {
  kind: string;
  name: string;
  text: string;
  /** Text the error message must contain: a key path, `unknown key <path>` or `line <n>`. */
  expected: string;
}

type Leaf = 'url' | 'int' | 'bool' | 'duration' | 'cron' | 'zone' | 'enum' | 'path' | 'host';

/** A config that validates, with every section set; each case breaks one thing in a copy. */
export const VALID_CONFIG = {
  metadata: { endpoint: 'http://100.100.100.200', tokenTtlSeconds: 21600, timeout: '2s' },
  ecs: { endpoint: 'ecs-vpc.cn-hangzhou.aliyuncs.com', protocol: 'https', timeout: '10s' },
  socket: { path: '/run/selfsnap/selfsnap.sock', group: 'selfsnap' },
  stateDir: '/var/lib/selfsnap',
  log: { level: 'info' },
  policies: {
    nightly: {
      schedule: '0 3 * * *',
      timezone: 'Asia/Shanghai',
      jitter: '10m',
      disks: 'all',
      consistency: 'application',
      freezeTimeout: '10s',
      maxWait: '6h',
      hooks: { pre: '/etc/selfsnap/pre.sh', timeout: '30s', onFailure: 'abort' },
      retention: { keepLast: 7, daily: 7, weekly: 4, maxAge: '400d', minKeep: 2 },
      retentionDays: 0,
      tags: { env: 'prod' },
    },
  },
  triggers: { hook: { policy: 'nightly', minInterval: '10m', wait: 'accepted', timeout: '60s' } },
};

const LEAVES: Record<string, Leaf> = {
  'metadata.endpoint': 'url',
  'metadata.tokenTtlSeconds': 'int',
  'metadata.timeout': 'duration',
  'metadata.allowTokenless': 'bool',
  'ecs.endpoint': 'host',
  'ecs.protocol': 'enum',
  'ecs.timeout': 'duration',
  'ecs.snapshotGroupDiskLimit': 'int',
  'socket.path': 'path',
  stateDir: 'path',
  'log.level': 'enum',
  'policies.nightly.schedule': 'cron',
  'policies.nightly.timezone': 'zone',
  'policies.nightly.jitter': 'duration',
  'policies.nightly.consistency': 'enum',
  'policies.nightly.freezeTimeout': 'duration',
  'policies.nightly.maxWait': 'duration',
  'policies.nightly.hooks.pre': 'path',
  'policies.nightly.hooks.timeout': 'duration',
  'policies.nightly.hooks.onFailure': 'enum',
  'policies.nightly.retention.keepLast': 'int',
  'policies.nightly.retention.weekly': 'int',
  'policies.nightly.retention.maxAge': 'duration',
  'policies.nightly.retention.minKeep': 'int',
  'policies.nightly.retentionDays': 'int',
  'triggers.hook.minInterval': 'duration',
  'triggers.hook.wait': 'enum',
  'triggers.hook.failClosed': 'bool',
};

// Values each kind of key must reject, whatever the rest of the file says.
const INVALID: Record<Leaf, unknown[]> = {
  url: ['100.100.100.200', 'ftp://metadata', 'http//x', 42, true, [], {}],
  int: ['seven', -1, 1.5, 1e12, 2 ** 53, -(2 ** 53), '1e3', true, [], {}, Number.NaN],
  bool: ['yes please', 1, 'maybe', [], {}],
  duration: [
    '10 minutes',
    '-5s',
    '1.5h',
    'h',
    '5',
    '99999999999999999999999d',
    '10x',
    '',
    'P1D',
    7,
    true,
    [],
  ],
  cron: [
    '61 3 * * *',
    '* * *',
    '0 25 * * *',
    '0 3 * * 8',
    '0 3 32 * *',
    '*/0 * * * *',
    'every day',
    '',
    '0 3 * * * * *',
    42,
    [],
  ],
  zone: ['Mars/Olympus', 'UTC+8', 'Asia/Beijing', '', 8, []],
  enum: ['ALL', 'sometimes', '', 3, false, [], {}],
  path: ['relative/path', '', 'C:\\selfsnap', 17, [], {}],
  host: ['http://ecs.aliyuncs.com', 'ecs aliyuncs com', 'host:99999999', '', 5, []],
};

const OBJECT_PATHS = [
  '',
  'metadata',
  'ecs',
  'socket',
  'log',
  'policies.nightly',
  'policies.nightly.hooks',
  'policies.nightly.retention',
  'triggers',
  'triggers.hook',
];
const STRANGE_KEYS = [
  'schedul',
  'endpiont',
  'retension',
  'keep_last',
  'Schedule',
  '__proto__',
  'constructor',
  'toString',
  '',
  ' ',
  '🙂',
  'a'.repeat(300),
  'policies ',
  '0',
];

function clone(): Record<string, unknown> {
  return structuredClone(VALID_CONFIG) as Record<string, unknown>;
}

function setAt(root: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = root;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[keys.at(-1) as string] = value;
}

function objectAt(root: Record<string, unknown>, path: string): Record<string, unknown> {
  return path === ''
    ? root
    : (path.split('.').reduce((node, key) => (node as never)[key], root as unknown) as Record<
        string,
        unknown
      >);
}

function joinPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

/** Generators of one case each, by kind; all draw from the same seeded random. */
const GENERATORS: Record<string, (random: SeededRandom, index: number) => CorpusCase> = {
  'wrong type or value': (random) => {
    const path = random.pick(Object.keys(LEAVES));
    const value = random.pick(INVALID[LEAVES[path] as Leaf]);
    const config = clone();
    setAt(config, path, value);
    return {
      kind: '',
      name: `${path} = ${JSON.stringify(value)?.slice(0, 40)}`,
      text: stringify(config),
      expected: path,
    };
  },
  'unknown key': (random) => {
    const parent = random.pick(OBJECT_PATHS);
    const key = random.pick(STRANGE_KEYS);
    const config = clone();
    objectAt(config, parent)[key] = random.pick([1, 'x', true, { nested: 1 }]);
    const text =
      key === '__proto__' ? injectKey(stringify(config), parent, key) : stringify(config);
    // A key with other characters or of any length is quoted or cut in the message.
    const named = /^[A-Za-z0-9_-]{1,40}$/.test(key) ? joinPath(parent, key) : joinPath(parent, '');
    return {
      kind: '',
      name: joinPath(parent, key).slice(0, 60),
      text,
      expected: `unknown key ${named}`,
    };
  },
  'huge value': (random) => {
    const config = clone();
    const choice = random.int(0, 4);
    if (choice === 0) {
      setAt(
        config,
        'policies.nightly.tags',
        Object.fromEntries(Array.from({ length: random.int(15, 500) }, (_, i) => [`key${i}`, 'v'])),
      );
      return {
        kind: '',
        name: 'too many tags',
        text: stringify(config),
        expected: 'policies.nightly.tags',
      };
    }
    if (choice === 1) {
      setAt(config, 'policies.nightly.tags', { env: 'x'.repeat(random.int(129, 20_000)) });
      return {
        kind: '',
        name: 'tag value too long',
        text: stringify(config),
        expected: 'policies.nightly.tags.env',
      };
    }
    if (choice === 2) {
      const name = `p${'a'.repeat(random.int(32, 20_000))}`;
      (config.policies as Record<string, unknown>)[name] = {};
      return {
        kind: '',
        name: 'policy name too long',
        text: stringify(config),
        expected: 'policies',
      };
    }
    const path = random.pick([
      'policies.nightly.retention.keepLast',
      'policies.nightly.retentionDays',
      'metadata.tokenTtlSeconds',
    ]);
    setAt(config, path, random.pick([1e15, 10 ** 300, 2 ** 63, -(10 ** 20)]));
    return { kind: '', name: `${path} huge`, text: stringify(config), expected: path };
  },
  'deep nesting': (random) => {
    // Block nesting grows the file with the square of the depth, so it stays shallower.
    const flow = random.chance(0.5);
    const depth = flow ? random.int(60, 3000) : random.int(60, 1500);
    const nested = flow ? `${'['.repeat(depth)}${']'.repeat(depth)}` : blockNesting(depth);
    const text = `${stringify(clone())}extra:${flow ? ' ' : '\n'}${nested}\n`;
    return { kind: '', name: `${flow ? 'flow' : 'block'} depth ${depth}`, text, expected: '' };
  },
  'binary junk': (random) => {
    const text = random.bytes(random.int(1, 4000)).toString('latin1');
    return { kind: '', name: `${text.length} random bytes`, text, expected: '' };
  },
  'alias bomb': (random) => {
    const width = random.int(5, 12);
    const levels = random.int(4, 9);
    const lines = [`l0: &l0 [${Array(width).fill('"lol"').join(',')}]`];
    for (let level = 1; level < levels; level++) {
      lines.push(
        `l${level}: &l${level} [${Array(width)
          .fill(`*l${level - 1}`)
          .join(',')}]`,
      );
    }
    const text = `${lines.join('\n')}\n${stringify(clone())}`;
    return { kind: '', name: `${levels} levels of ${width}`, text, expected: '' };
  },
  'duplicate key': (random) => {
    const parent = random.pick(OBJECT_PATHS.filter((path) => path !== ''));
    const object = objectAt(clone(), parent);
    const key = random.pick(Object.keys(object));
    const text = injectKey(stringify(clone()), parent, key);
    return {
      kind: '',
      name: joinPath(parent, key),
      text,
      expected: `${joinPath(parent, key)}: invalid YAML: duplicate key`,
    };
  },
  'broken structure': (random) => {
    const config = clone();
    const choice = random.int(0, 4);
    if (choice === 0) config.policies = random.pick([{}, [], null, 'nightly', 3]);
    if (choice === 1) delete config.policies;
    if (choice === 2) setAt(config, 'triggers.hook.policy', random.pick(['weekly', 'NIGHTLY', '']));
    if (choice === 3)
      setAt(
        config,
        'policies.nightly.disks',
        random.pick([[], ['disk-1'], { mountpoints: [] }, { mountpoints: ['data'] }, 'both']),
      );
    if (choice === 4)
      setAt(config, 'policies.nightly.freeze', random.pick(['/data', [''], ['data'], [1]]));
    const expected = [
      'policies',
      'policies',
      'triggers.hook.policy',
      'policies.nightly.disks',
      'policies.nightly.freeze',
    ][choice] as string;
    return { kind: '', name: expected, text: stringify(config), expected };
  },
  'yaml syntax': (random) => {
    const lines = stringify(clone()).split('\n');
    const keyed = lines
      .map((line, index) => ({ line, index }))
      .filter(({ line }) => line.includes(':'));
    const { line, index } = random.pick(keyed);
    const key = line.slice(0, line.indexOf(':'));
    // Each of these is a syntax error wherever it lands: a tab as indentation, an unclosed
    // quote, an unclosed flow sequence or an unclosed flow map.
    lines[index] = random.pick([
      `\t${line}`,
      `${key}: "unclosed`,
      `${key}: [1, 2`,
      `${key}: {a: 1`,
    ]);
    return { kind: '', name: `line ${index + 1}`, text: lines.join('\n'), expected: '' };
  },
};

/** Writes `key: 1` a second time (or as a literal `__proto__`) into the map at `parent`. */
function injectKey(text: string, parent: string, key: string): string {
  const depth = parent === '' ? 0 : parent.split('.').length;
  const indent = '  '.repeat(depth);
  const lines = text.split('\n');
  const parentLine = parent === '' ? -1 : findMapLine(lines, parent.split('.'));
  lines.splice(parentLine + 1, 0, `${indent}${key}: 1`);
  return lines.join('\n');
}

function findMapLine(lines: string[], keys: string[]): number {
  let from = 0;
  keys.forEach((key, depth) => {
    from = lines.findIndex(
      (line, index) => index >= from && line === `${'  '.repeat(depth)}${key}:`,
    );
  });
  return from;
}

function blockNesting(depth: number): string {
  return (
    Array.from({ length: depth }, (_, level) => `${' '.repeat(level + 1)}k:`).join('\n') + ' 1'
  );
}

/** Generates `size` malformed configs from `seed`: the same seed gives the same corpus. */
export function generateConfigCorpus(seed: number, size: number): CorpusCase[] {
  const random = new SeededRandom(seed);
  const kinds = Object.keys(GENERATORS);
  return Array.from({ length: size }, (_, index) => {
    const kind = kinds[index % kinds.length] as string;
    const generated = (GENERATORS[kind] as (r: SeededRandom, i: number) => CorpusCase)(
      random,
      index,
    );
    return { ...generated, kind, name: `#${index} ${kind}: ${generated.name}` };
  });
}
