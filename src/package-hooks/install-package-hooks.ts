import { chmod, mkdir, readdir, readFile, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SelfsnapError } from '../errors/index.js';
import { writeFileAtomic } from '../state/index.js';
import type { PackageManager } from '../triggers/index.js';
import {
  APT_CONF_PATH,
  APT_HOOK_SCRIPT,
  APT_HOOK_SCRIPT_PATH,
  buildAptConf,
} from './apt-hook-files.js';
import {
  buildDnfPluginConf,
  DNF_PLUGIN_CONF_PATH,
  DNF_PLUGIN_FILE_NAME,
  DNF_PLUGIN_SOURCE,
} from './dnf-plugin-files.js';
import { findDnfPluginDir } from './find-dnf-plugin-dir.js';

/** Target system and options of a hook install. */
export interface HookInstallOptions {
  /** Root of the target system; `/` unless installing into a chroot. */
  root: string;
  /** Also snapshot after each transaction. */
  after: boolean;
}

/** The effect of an install or remove on one file; `path` is inside the target system. */
export interface FileChange {
  path: string;
  action: 'created' | 'updated' | 'unchanged' | 'removed' | 'absent';
}

interface HookFile {
  path: string;
  content: string;
  mode: number;
}

/** Writes the hook files of a package manager, leaving files that already match untouched. */
export async function installPackageHooks(
  manager: PackageManager,
  options: HookInstallOptions,
): Promise<FileChange[]> {
  await requireManager(manager, options.root);
  const changes: FileChange[] = [];
  // The script or module goes first, so the package manager never names a missing file.
  for (const file of await hookFiles(manager, options)) {
    changes.push({ path: file.path, action: await writeHookFile(options.root, file) });
  }
  return changes;
}

/** Deletes the hook files of a package manager; files already gone are reported as absent. */
export async function removePackageHooks(
  manager: PackageManager,
  options: Pick<HookInstallOptions, 'root'>,
): Promise<FileChange[]> {
  const files = await hookFiles(manager, { ...options, after: false }).catch(() => []);
  const paths = files.map((file) => file.path).reverse();
  if (manager === 'dnf' && paths.length === 0) paths.push(DNF_PLUGIN_CONF_PATH);
  const changes: FileChange[] = [];
  for (const path of paths) {
    const existed = await exists(join(options.root, path));
    await rm(join(options.root, path), { force: true });
    changes.push({ path, action: existed ? 'removed' : 'absent' });
  }
  if (manager === 'dnf') await removeBytecode(options.root, files[0]?.path);
  // The script folder is selfsnap's own; it goes once empty.
  if (manager === 'apt') {
    await rmdir(join(options.root, dirname(APT_HOOK_SCRIPT_PATH))).catch(() => undefined);
  }
  return changes;
}

/** Lists the files a package manager's hook consists of, as paths inside the target system. */
export async function listHookFiles(manager: PackageManager, root: string): Promise<string[]> {
  const files = await hookFiles(manager, { root, after: false });
  return files.map((file) => file.path);
}

async function hookFiles(manager: PackageManager, options: HookInstallOptions) {
  if (manager === 'apt') {
    return [
      { path: APT_HOOK_SCRIPT_PATH, content: APT_HOOK_SCRIPT, mode: 0o755 },
      { path: APT_CONF_PATH, content: buildAptConf(options), mode: 0o644 },
    ] satisfies HookFile[];
  }
  const pluginDir = await findDnfPluginDir(options.root);
  return [
    { path: join(pluginDir, DNF_PLUGIN_FILE_NAME), content: DNF_PLUGIN_SOURCE, mode: 0o644 },
    { path: DNF_PLUGIN_CONF_PATH, content: buildDnfPluginConf(options), mode: 0o644 },
  ] satisfies HookFile[];
}

async function requireManager(manager: PackageManager, root: string): Promise<void> {
  if (manager === 'dnf') return; // findDnfPluginDir names what is missing.
  if (!(await exists(join(root, dirname(APT_CONF_PATH))))) {
    throw new SelfsnapError(
      'NOT_FOUND',
      `apt is not installed under ${root}: ${dirname(APT_CONF_PATH)} is missing`,
    );
  }
}

async function writeHookFile(root: string, file: HookFile): Promise<FileChange['action']> {
  const target = join(root, file.path);
  const current = await readFile(target, 'utf8').catch(() => undefined);
  const mode = await stat(target).then(
    (info) => info.mode & 0o7777,
    () => undefined,
  );
  if (current === file.content && mode === file.mode) return 'unchanged';

  await mkdir(dirname(target), { recursive: true, mode: 0o755 });
  await writeFileAtomic(target, file.content, file.mode);
  // open() applies the umask to the mode, so set it again.
  await chmod(target, file.mode);
  return current === undefined ? 'created' : 'updated';
}

// Python caches the compiled plugin next to it; a stale cache must not outlive the source.
async function removeBytecode(root: string, pluginPath: string | undefined): Promise<void> {
  if (pluginPath === undefined) return;
  const cacheDir = join(root, dirname(pluginPath), '__pycache__');
  const names = await readdir(cacheDir).catch(() => [] as string[]);
  const stem = DNF_PLUGIN_FILE_NAME.replace(/\.py$/, '.');
  await Promise.all(
    names
      .filter((name) => name.startsWith(stem))
      .map((name) => rm(join(cacheDir, name), { force: true })),
  );
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
