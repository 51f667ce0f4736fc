import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { commonJsExports } from '../../src/credentials/index.js';

const require = createRequire(import.meta.url);

describe('commonJsExports', () => {
  it.each(['@alicloud/credentials', '@alicloud/openapi-core'])(
    'returns the exports of %s in both shapes',
    (name) => {
      const exports = require(name) as { default: unknown };

      expect(commonJsExports({ default: exports })).toBe(exports);
      expect(commonJsExports(exports)).toBe(exports);
      expect(typeof commonJsExports(exports).default).toBe('function');
    },
  );

  it('returns the exports of a dynamic import in this loader', async () => {
    const sdk = commonJsExports(await import('@alicloud/credentials'));

    expect(typeof sdk.ECSRAMRoleCredentialsProvider.builder).toBe('function');
  });
});
