import { basename, join, resolve } from 'node:path';
import { build } from 'esbuild';

// Under node_modules so that the bundles resolve the project's packages at run time.
const OUT_DIR = resolve(import.meta.dirname, '../../node_modules/.cache/selfsnap-bench');

/**
 * Compiles a TypeScript script, with the repository code it imports, into one ES module that
 * plain `node` runs. Packages stay external and load at run time as they do for the daemon, so
 * a subprocess measures its own start-up and memory without a TypeScript loader in it.
 */
export async function bundleScript(entry: string): Promise<string> {
  const outfile = join(OUT_DIR, basename(entry).replace(/\.ts$/, '.mjs'));
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return outfile;
}
