import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The end-to-end suites bind 100.100.100.200:80 inside their own network namespaces and
    // start daemons; running files in parallel on a 2-core machine only makes them flaky.
    fileParallelism: false,
    // Load CommonJS packages as Node does, with `module.exports` as the default import, so that
    // in-process tests run src/cloud and src/credentials exactly as the daemon does.
    deps: { interopDefault: false },
  },
});
