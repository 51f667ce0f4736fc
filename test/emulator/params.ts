import { ApiError, invalidParameter, missingParameter } from './api-error.js';

/** A tag as the API takes it in `Tag.N.Key` / `Tag.N.Value`. */
export interface Tag {
  key: string;
  value: string;
}

/** Parameters every ECS action accepts besides its own (account fields the SDK may send). */
const COMMON_PARAMETERS = ['OwnerId', 'OwnerAccount', 'ResourceOwnerAccount', 'ResourceOwnerId'];

/**
 * Returns the documented name of a query parameter: `Tag.3.Key` and `DiskId.2` become `Tag` and
 * `DiskId`, because flattened lists are declared by their base name.
 */
export function baseParameterName(name: string): string {
  const match = /^([^.]+)\.\d+(\..*)?$/.exec(name);
  return match?.[1] ?? name;
}

/** The decoded query parameters of one ECS call with typed, validating accessors. */
export class RequestParams {
  private readonly values = new Map<string, string>();

  constructor(pairs: ReadonlyArray<readonly [string, string]>) {
    for (const [name, value] of pairs) this.values.set(name, value);
  }

  /** Returns all parameters as a plain object, for the request log and ClientToken comparison. */
  toObject(): Record<string, string> {
    return Object.fromEntries([...this.values].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  /** Rejects any parameter whose base name is neither in `allowed` nor a common parameter. */
  rejectUnknown(allowed: readonly string[]): void {
    for (const name of this.values.keys()) {
      const base = baseParameterName(name);
      if (!allowed.includes(base) && !COMMON_PARAMETERS.includes(base)) {
        throw new ApiError(
          400,
          'InvalidParameter',
          `The parameter "${name}" is not supported by this action.`,
        );
      }
    }
  }

  get(name: string): string | undefined {
    const value = this.values.get(name);
    return value === '' ? undefined : value;
  }

  /** Returns a parameter or throws `Missing<Name>`. */
  required(name: string): string {
    const value = this.get(name);
    if (value === undefined) throw missingParameter(name);
    return value;
  }

  /** Returns an integer parameter within [min, max], or undefined when absent. */
  integer(name: string, min: number, max: number, code = 'InvalidParameter'): number | undefined {
    const raw = this.get(name);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || value < min || value > max) {
      if (code === 'InvalidParameter')
        throw invalidParameter(name, `an integer from ${min} to ${max}`);
      throw new ApiError(
        400,
        code,
        `The specified ${name} "${raw}" is not an integer from ${min} to ${max}.`,
      );
    }
    return value;
  }

  /** Returns a boolean parameter (`true`/`false`), or `fallback` when absent. */
  boolean(name: string, fallback: boolean): boolean {
    const raw = this.get(name);
    if (raw === undefined) return fallback;
    if (raw !== 'true' && raw !== 'false') throw invalidParameter(name, 'true or false');
    return raw === 'true';
  }

  /** Returns the value of a parameter that must be one of `allowed` (case-sensitive). */
  oneOf<T extends string>(name: string, allowed: readonly T[], error?: ApiError): T | undefined {
    const raw = this.get(name);
    if (raw === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(raw)) {
      throw error ?? invalidParameter(name, `one of ${allowed.join(', ')}`);
    }
    return raw as T;
  }

  /**
   * Parses a JSON array of ids such as `SnapshotIds=["s-1","s-2"]`, at most `max` entries; any
   * other shape raises `malformedCode` with `malformedStatus`.
   */
  jsonIds(
    name: string,
    malformedCode: string,
    malformedStatus = 400,
    max = 100,
  ): string[] | undefined {
    const raw = this.get(name);
    if (raw === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    const valid =
      Array.isArray(parsed) && parsed.every((id) => typeof id === 'string' && id !== '');
    if (!valid || (parsed as string[]).length > max) {
      throw new ApiError(
        malformedStatus,
        malformedCode,
        `The parameter "${name}" must be a JSON array of at most ${max} ids.`,
      );
    }
    return parsed as string[];
  }

  /** Returns `Name.1`, `Name.2`, ... in index order; indexes must lie in 1..`max`. */
  indexedList(name: string, max: number): string[] {
    const entries: Array<[number, string]> = [];
    for (const [key, value] of this.values) {
      const match = new RegExp(`^${name}\\.(\\d+)$`).exec(key);
      if (match === null) continue;
      const index = Number(match[1]);
      if (index < 1 || index > max) throw invalidParameter(key, `an index from 1 to ${max}`);
      entries.push([index, value]);
    }
    return entries.sort(([a], [b]) => a - b).map(([, value]) => value);
  }

  /**
   * Returns the `<prefix>.N.Key` / `<prefix>.N.Value` pairs in index order; a value without a key
   * raises `missingKeyCode`, and N above `maxIndex` raises `InvalidTagCount`.
   */
  tags(prefix = 'Tag', maxIndex = 20, missingKeyCode = 'InvalidTagKey.Malformed'): Tag[] {
    const byIndex = new Map<number, Partial<Tag>>();
    for (const [key, value] of this.values) {
      const match = new RegExp(`^${prefix}\\.(\\d+)\\.(Key|Value)$`).exec(key);
      if (match === null) continue;
      const index = Number(match[1]);
      if (index < 1 || index > maxIndex) {
        throw new ApiError(
          400,
          'InvalidTagCount',
          `The tag index in "${key}" must be from 1 to ${maxIndex}.`,
        );
      }
      const entry = byIndex.get(index) ?? {};
      if (match[2] === 'Key') entry.key = value;
      else entry.value = value;
      byIndex.set(index, entry);
    }

    return [...byIndex.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, entry]) => {
        if (entry.key === undefined || entry.key === '') {
          throw new ApiError(
            400,
            missingKeyCode,
            `The tag key "${prefix}.${index}.Key" is missing or empty.`,
          );
        }
        return { key: entry.key, value: entry.value ?? '' };
      });
  }
}
