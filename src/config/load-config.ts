import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { SelfsnapError } from '../errors/index.js';
import { configSchema, type SelfsnapConfig } from './config-schema.js';

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

/** Parses and validates config text; `source` names the file in messages. */
export function parseConfig(text: string, source = 'config'): SelfsnapConfig {
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    const first = document.errors[0] as Error;
    throw new SelfsnapError('CONFIG_INVALID', `${source}: invalid YAML: ${first.message}`);
  }

  const result = configSchema.safeParse(document.toJS() ?? {});
  if (!result.success) {
    const problems = result.error.issues.map(describeIssue);
    throw new SelfsnapError('CONFIG_INVALID', `${source}: ${problems.join('; ')}`);
  }

  const config = result.data;
  checkCrossReferences(config, source);
  return config;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.') || '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => (path === '(top level)' ? key : `${path}.${key}`));
    return `unknown key ${keys.join(', ')}`;
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
