// Builds what install.sh puts on a server, so the server needs no `npm install`:
//   dist/release/selfsnap.cjs                 one CommonJS file for a system Node.js >= 20
//   dist/release/selfsnap-<platform>-<arch>   a Node.js single executable application (SEA)
//   dist/release/selfsnap-<version>-<platform>-<arch>.tar.gz   with --tarball
// Usage: npm run build:release [-- --tarball] [-- --no-sea]
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { build, type Plugin } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist', 'release');
const bundlePath = join(outDir, 'selfsnap.cjs');
const seaName = `selfsnap-${process.platform}-${process.arch}`;

// The fuse string that Node.js 20 binaries carry to mark where a SEA blob may be injected
// (Node.js docs, "Single executable applications").
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

// This entry replaces src/cli.ts, whose top-level await CommonJS cannot hold. CommonJS is what a
// SEA runs, and it loads the CommonJS @alicloud packages without an ESM interop layer. The
// bundle has no thaw-watchdog-main.js beside it, so the daemon starts the watchdog as this
// program with a hidden first argument. That check comes first, and the dynamic import keeps
// esbuild from running the CLI's modules (yargs, the cloud SDK) before a watchdog is armed.
const ENTRY = `
import { runThawWatchdogIfRequested } from './consistency/thaw-watchdog.js';
if (!runThawWatchdogIfRequested()) {
  import('./cli/index.js')
    .then(({ main }) => main())
    .then(
      (code) => process.exit(code),
      (error) => {
        process.stderr.write('selfsnap: ' + (error instanceof Error ? error.message : error) + '\\n');
        process.exit(1);
      },
    );
}
`;

// ESM dependencies (yargs 18) read import.meta.url, which is empty in CommonJS output, so the
// bundle defines it as its own file URL. In a SEA, __filename is the executable's path.
const IMPORT_META_BANNER =
  'const __importMetaUrl = require("node:url").pathToFileURL(__filename).href;';

// Optional packages that debug (supports-color) and ws (bufferutil, utf-8-validate) require
// inside try/catch. A SEA warns on every require of a non-builtin module, so these resolve to a
// module that throws MODULE_NOT_FOUND, and the libraries go on as they do without the package.
const OPTIONAL_MODULES = ['supports-color', 'bufferutil', 'utf-8-validate'];

const optionalModulesPlugin: Plugin = {
  name: 'optional-modules',
  setup(pluginBuild) {
    const filter = new RegExp(`^(${OPTIONAL_MODULES.join('|')})$`);
    pluginBuild.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'optional' }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'optional' }, (args) => ({
      contents: [
        `const error = new Error("Cannot find module '${args.path}'");`,
        "error.code = 'MODULE_NOT_FOUND';",
        'throw error;',
      ].join('\n'),
      loader: 'js',
    }));
  },
};

/** Bundles the CLI and its dependencies into one executable CommonJS file. */
async function bundleCli(version: string): Promise<void> {
  const result = await build({
    stdin: {
      contents: ENTRY,
      resolveDir: join(root, 'src'),
      sourcefile: 'release-entry.ts',
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: bundlePath,
    banner: { js: `#!/usr/bin/env node\n// selfsnap ${version}\n${IMPORT_META_BANNER}` },
    define: { 'import.meta.url': '__importMetaUrl' },
    legalComments: 'eof',
    logLevel: 'warning',
    metafile: true,
    plugins: [optionalModulesPlugin],
  });
  await chmod(bundlePath, 0o755);
  const bytes = Object.values(result.metafile.outputs)[0]?.bytes ?? 0;
  console.log(`release: ${relative(root, bundlePath)} (${(bytes / 1e6).toFixed(1)} MB)`);
}

/** Builds the single executable: a copy of this Node.js binary with the bundle injected. */
async function buildSea(): Promise<void> {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 20) {
    throw new Error(`a single executable needs Node.js >= 20, not ${process.version}`);
  }

  const work = join(outDir, '.sea');
  await mkdir(work, { recursive: true });
  const blobPath = join(work, 'sea-prep.blob');
  const configPath = join(work, 'sea-config.json');
  const seaConfig = { main: bundlePath, output: blobPath, disableExperimentalSEAWarning: true };
  await writeFile(configPath, JSON.stringify(seaConfig, null, 2));
  execFileSync(process.execPath, ['--experimental-sea-config', configPath], { stdio: 'pipe' });

  const target = join(outDir, seaName);
  await rm(target, { force: true });
  await copyFile(process.execPath, target);
  await chmod(target, 0o755);
  injectBlob(target, blobPath);
  await rm(work, { recursive: true, force: true });
  console.log(`release: ${relative(root, target)} (Node.js ${process.version} inside)`);
}

/**
 * Injects the SEA blob with postject's CLI in a child process whose output shows only on
 * failure, because postject 1.0.0-alpha.6 prints harmless "Can't find string offset" warnings
 * for ELF binaries.
 */
function injectBlob(target: string, blobPath: string): void {
  const postject = join(root, 'node_modules', 'postject', 'dist', 'cli.js');
  const args = [postject, target, 'NODE_SEA_BLOB', blobPath, '--sentinel-fuse', SEA_FUSE];
  try {
    execFileSync(process.execPath, args, { encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    process.stderr.write(`${stdout}${stderr}`);
    throw new Error(`postject could not inject the SEA blob into ${target}`, { cause: error });
  }
}

/** Runs a built file with `version` and `--help`, so a broken bundle fails the build. */
function smokeTest(command: string, args: string[], version: string): void {
  // The first word is the CLI's version; "(daemon X)" follows when a local daemon answers.
  const printed = execFileSync(command, [...args, 'version'], { encoding: 'utf8' }).trim();
  if (printed.split(' ')[0] !== version) {
    throw new Error(`${command} version printed "${printed}", expected "${version}"`);
  }
  const help = execFileSync(command, [...args, '--help'], { encoding: 'utf8' });
  if (!help.includes('selfsnap daemon')) {
    throw new Error(`${command} --help does not list the daemon command`);
  }
}

/** Packs what install.sh needs, in the same layout as a clone, into one tarball. */
function packTarball(version: string): void {
  const name = `selfsnap-${version}-${process.platform}-${process.arch}`;
  const tarball = join(outDir, `${name}.tar.gz`);
  const files = ['install.sh', 'systemd', 'config', 'README.md', 'LICENSE'].filter((file) =>
    existsSync(join(root, file)),
  );
  const release = ['dist/release/selfsnap.cjs', `dist/release/${seaName}`].filter((file) =>
    existsSync(join(root, file)),
  );
  const args = ['-czf', tarball, '--owner=0', '--group=0', `--transform=s,^,${name}/,`];
  execFileSync('tar', [...args, ...files, ...release], { cwd: root, stdio: 'inherit' });
  console.log(`release: ${relative(root, tarball)}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      tarball: { type: 'boolean', default: false },
      'no-sea': { type: 'boolean', default: false },
    },
  });
  const packageJson = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
    version: string;
  };

  await mkdir(outDir, { recursive: true });
  await bundleCli(packageJson.version);
  smokeTest(process.execPath, [bundlePath], packageJson.version);
  if (!values['no-sea']) {
    await buildSea();
    smokeTest(join(outDir, seaName), [], packageJson.version);
  }
  if (values.tarball) packTarball(packageJson.version);
}

main().catch((error: unknown) => {
  console.error(`release: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
