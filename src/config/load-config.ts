import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { SelfsnapError } from '../errors/index.js';
import { configSchema, type SelfsnapConfig } from './config-schema.js';
import { escapeControlCharacters, formatKeyPath } from './format-key-path.js';
import { locateYamlError } from './locate-yaml-error.js';

/** The config file read when neither `--config` nor `SELFSNAP_CONFIG` names another. */
export const DEFAULT_CONFIG_PATH = '/etc/selfsnap/config.yaml';

/** Reads, parses and validates a config file; every problem names its key path. */
export async function loadConfig(path: string): Promise<SelfsnapConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new SelfsnapError('CONFIG_NOT_FOUND', `cannot read config file ${path}: ${reason}`, {
      cause: error,
    });
  }
  return parseConfig(text, path);
}

// A message is one line on stderr and in the journal, however large the bad value is.
const MAX_PROBLEM_CHARS = 300;
const MAX_PROBLEMS = 5;

/**
 * Parses and validates config text; `source` names the file in messages. Every failure is a
 * CONFIG_INVALID error, including input that exhausts the YAML parser (alias bombs, nesting
 * deep enough to overflow the stack).
 */
export function parseConfig(text: string, source = 'config'): SelfsnapConfig {
  try {
    return parseConfigText(text, source);
  } catch (error) {
    if (error instanceof SelfsnapError) {
      throw new SelfsnapError(error.code, escapeControlCharacters(error.message), {
        cause: error.cause,
      });
    }
    const reason =
      error instanceof RangeError
        ? 'the file nests too deeply to be a config'
        : `the file cannot be read as a config (${(error as Error).message})`;
    throw new SelfsnapError('CONFIG_INVALID', `${source}: (top level): ${reason}`, {
      cause: error,
    });
  }
}

function parseConfigText(text: string, source: string): SelfsnapConfig {
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const [syntaxError] = document.errors;
  if (syntaxError !== undefined) {
    const located = locateYamlError(text, document, syntaxError);
    throw new SelfsnapError('CONFIG_INVALID', `${source}: ${shorten(located)}`);
  }

  // The yaml package stops expanding aliases past 100 uses of one anchor (maxAliasCount).
  const result = configSchema.safeParse(document.toJS() ?? {});
  if (!result.success) {
    const issues = result.error.issues;
    const problems = issues.slice(0, MAX_PROBLEMS).map((issue) => shorten(describeIssue(issue)));
    if (issues.length > MAX_PROBLEMS) problems.push(`${issues.length - MAX_PROBLEMS} more`);
    throw new SelfsnapError('CONFIG_INVALID', `${source}: ${problems.join('; ')}`);
  }

  const config = result.data;
  checkCrossReferences(config, source);
  return config;
}

function shorten(text: string, max = MAX_PROBLEM_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = formatKeyPath(issue.path) || '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => formatKeyPath([...issue.path, key]));
    return `unknown key ${keys.join(', ')}`;
  }
  // zod reports a rejected record key as "Invalid key in record"; the key schema's own message
  // (what a valid name looks like) is in the nested issues.
  if (issue.code === 'invalid_key') {
    const reason = issue.issues[0]?.message;
    return `${path}: invalid name${reason === undefined ? '' : `: ${reason}`}`;
  }
  return `${path}: ${issue.message}`;
}

function checkCrossReferences(config: SelfsnapConfig, source: string): void {
  const hook = config.triggers.hook;
  if (hook !== undefined && !(hook.policy in config.policies)) {
    const known = Object.keys(config.policies).join(', ');
    throw new SelfsnapError(
      'CONFIG_INVALID',
      `${source}: triggers.hook.policy: no policy named "${hook.policy}" (defined: ${known})`,
    );
  }
}
