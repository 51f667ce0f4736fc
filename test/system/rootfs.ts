import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { REPO_ROOT, type Prerequisite } from './prerequisites.js';

/** The cached Debian bookworm tree with systemd; SELFSNAP_CI_ROOTFS points elsewhere. */
export const ROOTFS_DIR = process.env.SELFSNAP_CI_ROOTFS ?? '/var/cache/selfsnap-ci/rootfs';

// scripts/build-ci-rootfs.sh writes this file last, so its presence means a finished tree.
const STAMP = '.selfsnap-rootfs-complete';
const BUILD_SCRIPT = join(REPO_ROOT, 'scripts', 'build-ci-rootfs.sh');
// debootstrap downloads and unpacks the whole base system; 10 minutes leaves room for a slow
// mirror.
const BUILD_TIMEOUT_MS = 10 * 60_000;

/** Builds the cached tree when it is missing and this machine can build it. */
function ensureRootfs(): string | undefined {
  if (existsSync(join(ROOTFS_DIR, STAMP))) return undefined;
  if (process.getuid?.() !== 0) return `${ROOTFS_DIR} is not built and building it needs root`;

  try {
    execFileSync('bash', [BUILD_SCRIPT, ROOTFS_DIR], {
      stdio: ['ignore', 'inherit', 'pipe'],
      timeout: BUILD_TIMEOUT_MS,
    });
    return undefined;
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
    return `building ${ROOTFS_DIR} failed (${stderr || (error as Error).message}): run ${BUILD_SCRIPT}`;
  }
}

/** Requires the cached rootfs, building it on first use. */
export const cachedRootfs: Prerequisite = { name: 'rootfs', check: ensureRootfs };
