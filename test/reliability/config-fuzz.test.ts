import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { SelfsnapError } from '../../src/errors/index.js';
import { SeededRandom, seedFromEnv } from '../support/seeded-random.js';
import { generateConfigCorpus, VALID_CONFIG, type CorpusCase } from './config-corpus.js';
import { stringify } from 'yaml';

const CLI = resolve(import.meta.dirname, '../../dist/cli.js');
const SEED = seedFromEnv(78_000_001);
const CORPUS_SIZE = 1200;
const CLI_SAMPLE = 50;
const SOURCE = 'fuzz.yaml';
// A message names the file, then a key path, `unknown key ...`, `(top level)` or a line. A key
// path joins plain keys and JSON-quoted ones with dots.
const KEY = String.raw`(?:[^\s."\\]+…?|"(?:[^"\\]|\\.)*")`;
const LOCATED = new RegExp(
  String.raw`^fuzz\.yaml: (?:\(top level\)|line \d+, column \d+|unknown key |${KEY}(?:\.${KEY})*: )`,
);

/** Returns what is wrong with how the parser refused one case, or undefined when all is right. */
function judge(entry: CorpusCase, error: unknown): string | undefined {
  if (error === undefined) return 'accepted';
  if (!(error instanceof SelfsnapError)) return `threw ${(error as Error).name}: ${String(error)}`;
  if (error.code !== 'CONFIG_INVALID') return `code ${error.code}`;
  const message = error.message;
  if (message.includes('\n')) return 'message spans several lines';
  if (message.length > 2000) return `message of ${message.length} characters`;
  if (!LOCATED.test(message)) return `message names no location: ${message.slice(0, 200)}`;
  if (!message.includes(entry.expected)) {
    return `message lacks "${entry.expected}": ${message.slice(0, 200)}`;
  }
  return undefined;
}

function refusal(entry: CorpusCase): unknown {
  try {
    parseConfig(entry.text, SOURCE);
    return undefined;
  } catch (error) {
    return error;
  }
}

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Returns what is wrong with how the CLI refused one config, or undefined when all is right. */
function cliProblem(result: CliResult, configPath: string): string | undefined {
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  if (result.code !== 78) return `exit ${result.code}`;
  if (lines.length !== 1) return `${lines.length} stderr lines`;
  if (!lines[0]?.startsWith(`selfsnap: ${configPath}: `))
    return `stderr: ${lines[0]?.slice(0, 200)}`;
  if (/\n\s+at /.test(result.stderr + result.stdout)) return 'stack trace';
  return undefined;
}

function runDaemonCommand(configPath: string): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, 'daemon', '--config', configPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('error', fail);
    child.once('exit', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

describe('config parser under a fuzzed corpus', () => {
  const corpus = generateConfigCorpus(SEED, CORPUS_SIZE);
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'selfsnap-config-fuzz-'));
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('accepts the valid config every case starts from', () => {
    expect(parseConfig(stringify(VALID_CONFIG), SOURCE).policies.nightly?.schedule).toBe(
      '0 3 * * *',
    );
  });

  it('generates the same corpus from the same seed', () => {
    const again = generateConfigCorpus(SEED, 50);

    expect(again.map((entry) => entry.text)).toEqual(corpus.slice(0, 50).map((e) => e.text));
  });

  it(`rejects all ${CORPUS_SIZE} cases with CONFIG_INVALID and a location`, () => {
    const problems = corpus.flatMap((entry) => {
      const problem = judge(entry, refusal(entry));
      return problem === undefined ? [] : [`${entry.name}: ${problem}`];
    });

    const kinds = new Map<string, number>();
    for (const entry of corpus) kinds.set(entry.kind, (kinds.get(entry.kind) ?? 0) + 1);
    console.log(
      `config corpus (seed ${SEED}): ${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}`,
    );
    expect(problems).toEqual([]);
  });

  it(`exits 78 with one line for ${CLI_SAMPLE} cases through the CLI`, async () => {
    const random = new SeededRandom(SEED);
    const sample = Array.from({ length: CLI_SAMPLE }, () => random.pick(corpus));
    const failures: string[] = [];
    // Four daemons at a time keep the 2-core CI machine busy without starving it.
    for (let start = 0; start < sample.length; start += 4) {
      await Promise.all(
        sample.slice(start, start + 4).map(async (entry, offset) => {
          const configPath = join(folder, `case-${start + offset}.yaml`);
          await writeFile(configPath, entry.text, 'latin1');
          const result = await runDaemonCommand(configPath);
          const problem = cliProblem(result, configPath);
          if (problem !== undefined) failures.push(`${entry.name}: ${problem}`);
        }),
      );
    }

    expect(failures).toEqual([]);
  }, 120_000);
});
