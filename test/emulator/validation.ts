import { ApiError } from './api-error.js';
import type { Tag } from './params.js';

const URL_PREFIX = /^https?:\/\//i;
const URL_ANYWHERE = /https?:\/\//i;
/** Tag keys the cloud reserves for its own tags. */
const RESERVED_TAG_KEY_PREFIXES = ['aliyun', 'acs:'];
const MAX_TAGS = 20;

/**
 * Validates a snapshot or snapshot group name: 2-128 characters, starting with a letter,
 * then letters, digits and `:_.-`, never a URL, and (for snapshots) never starting with `auto`,
 * the prefix that automatic snapshots own.
 */
export function validateResourceName(name: string, code: string, forbidAutoPrefix: boolean): void {
  const shaped = /^\p{L}[\p{L}\p{N}:_.-]{1,127}$/u.test(name);
  if (!shaped || URL_PREFIX.test(name) || (forbidAutoPrefix && /^auto/i.test(name))) {
    throw new ApiError(
      400,
      code,
      `The name "${name}" must be 2-128 characters, start with a letter, contain only letters, digits and :_.-, and not start with http://, https://${forbidAutoPrefix ? ' or auto' : ''}.`,
    );
  }
}

/** Validates a description: 2-256 characters, not starting with a URL scheme. */
export function validateDescription(description: string, status: number, code: string): void {
  const length = [...description].length;
  if (length < 2 || length > 256 || URL_PREFIX.test(description)) {
    throw new ApiError(
      status,
      code,
      'The description must be 2-256 characters and not start with http:// or https://.',
    );
  }
}

/**
 * Validates tags: at most 20, keys 1-128 characters without the reserved prefixes `aliyun` and
 * `acs:`, values up to 128 characters and not starting with `acs:`, no `http://` or `https://`
 * in either, and no key twice.
 */
export function validateTags(tags: readonly Tag[]): void {
  if (tags.length > MAX_TAGS) {
    throw new ApiError(
      400,
      'InvalidTagCount',
      `At most ${MAX_TAGS} tags are allowed, got ${tags.length}.`,
    );
  }
  const seen = new Set<string>();
  for (const { key, value } of tags) {
    const reserved = RESERVED_TAG_KEY_PREFIXES.some((prefix) =>
      key.toLowerCase().startsWith(prefix),
    );
    if (key.length === 0 || key.length > 128 || reserved || URL_ANYWHERE.test(key)) {
      throw new ApiError(
        400,
        'InvalidTagKey.Malformed',
        `The tag key "${key}" must be 1-128 characters, not start with aliyun or acs:, and contain no http:// or https://.`,
      );
    }
    if (value.length > 128 || URL_ANYWHERE.test(value) || value.toLowerCase().startsWith('acs:')) {
      throw new ApiError(
        400,
        'InvalidTagValue.Malformed',
        `The value of tag "${key}" must be at most 128 characters, not start with acs: and contain no http:// or https://.`,
      );
    }
    if (seen.has(key)) {
      throw new ApiError(400, 'Duplicate.TagKey', `The tag key "${key}" is given more than once.`);
    }
    seen.add(key);
  }
}

/** Validates a ClientToken: 1-64 printable ASCII characters. */
export function validateClientToken(token: string): void {
  if (!/^[\x20-\x7e]{1,64}$/.test(token)) {
    throw new ApiError(
      403,
      'InvalidClientToken.Malformed',
      'The ClientToken must be 1-64 printable ASCII characters.',
    );
  }
}
