import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PackageManager } from '../triggers/index.js';
import { APT_CONF_PATH } from './apt-hook-files.js';
import { DNF_PLUGIN_CONF_PATH } from './dnf-plugin-files.js';
import type { HookOutcome } from './hook-outcome.js';
import { readHookOutcome } from './hook-state.js';
import { listHookFiles } from './install-package-hooks.js';

/** Whether one package manager's hook is installed, and with the after-transaction snapshot. */
export interface InstalledHook {
  manager: PackageManager;
  installed: boolean;
  after: boolean;
  files: string[];
}

/** The report of `selfsnap hooks status`: the installed hooks and the outcome of the last one. */
export interface HookStatus {
  hooks: InstalledHook[];
  lastOutcome: HookOutcome | null;
}

/** Reads which hooks are installed under `root` and the last outcome from the state folder. */
export async function readHookStatus(root: string, stateDir: string): Promise<HookStatus> {
  const hooks: InstalledHook[] = [];
  for (const manager of ['apt', 'dnf'] as const) {
    const files = await listHookFiles(manager, root).catch(() => [] as string[]);
    const present = await Promise.all(files.map((file) => readText(join(root, file))));
    const installed = files.length > 0 && present.every((text) => text !== undefined);
    const conf = await readText(
      join(root, manager === 'apt' ? APT_CONF_PATH : DNF_PLUGIN_CONF_PATH),
    );
    const after =
      manager === 'apt'
        ? (conf ?? '').includes('DPkg::Post-Invoke')
        : /^after\s*=\s*(true|1|yes)\s*$/m.test(conf ?? '');
    hooks.push({ manager, installed, after: installed && after, files });
  }
  return { hooks, lastOutcome: (await readHookOutcome(stateDir)) ?? null };
}

async function readText(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}
