import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SelfsnapError } from '../errors/index.js';

// Python package folders on the distributions that ship dnf: site-packages on Fedora, RHEL and
// their rebuilds, dist-packages on Debian and Ubuntu.
const LIBRARY_FOLDERS = ['usr/lib', 'usr/lib64', 'usr/local/lib'];
const PACKAGE_FOLDERS = ['site-packages', 'dist-packages'];
const PLUGINPATH_LINE = /^PLUGINPATH\s*=\s*['"]([^'"]+)['"]/m;

/**
 * Finds dnf's plugin folder inside `root` by reading `PLUGINPATH` from the installed
 * `dnf/const.py`, so no Python runs. The folder is returned as a path inside the target system.
 */
export async function findDnfPluginDir(root: string): Promise<string> {
  for (const library of LIBRARY_FOLDERS) {
    const pythons = await readdir(join(root, library)).catch(() => [] as string[]);
    for (const python of pythons.filter((name) => /^python3(\.\d+)?$/.test(name)).sort()) {
      for (const packages of PACKAGE_FOLDERS) {
        const constPath = join(library, python, packages, 'dnf', 'const.py');
        const text = await readFile(join(root, constPath), 'utf8').catch(() => undefined);
        if (text === undefined) continue;
        const declared = PLUGINPATH_LINE.exec(text)?.[1];
        return declared ?? join('/', dirname(dirname(constPath)), 'dnf-plugins');
      }
    }
  }
  throw new SelfsnapError(
    'NOT_FOUND',
    `dnf is not installed under ${root}: no dnf/const.py in ${LIBRARY_FOLDERS.join(', ')}`,
  );
}
