import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, it } from 'vitest';

/** The repository root, which the container sees read-only as /src. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Something a system test needs from the machine, and how to get it. */
export interface Prerequisite {
  name: string;
  /** Returns undefined when present, else why it is missing and how to fix that. */
  check: () => string | undefined;
}

/** Requires root, which nspawn, nsenter and installing into a chroot need. */
export const rootUser: Prerequisite = {
  name: 'root',
  check: () => (process.getuid?.() === 0 ? undefined : 'must run as root'),
};

/** Requires a command on PATH, installed from the named Debian package. */
export function command(name: string, debianPackage: string): Prerequisite {
  return {
    name,
    check: () => {
      try {
        execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
        return undefined;
      } catch {
        return `${name} not found: apt-get install ${debianPackage}`;
      }
    },
  };
}

/** Requires a file, built by the given command. */
export function file(path: string, buildCommand: string): Prerequisite {
  return {
    name: path,
    check: () => (existsSync(path) ? undefined : `${path} is missing: run ${buildCommand}`),
  };
}

/**
 * Declares a system suite that runs only when its prerequisites are met. Without them, it fails
 * under CI=true (a CI run must never pass by not testing) and is skipped with the reason
 * elsewhere.
 */
export function describeOnSystem(
  name: string,
  prerequisites: Prerequisite[],
  body: () => void,
): void {
  const missing = prerequisites.map((prerequisite) => prerequisite.check()).filter(isDefined);
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  const reason = missing.join('; ');
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('has its prerequisites', () => {
        throw new Error(`system test prerequisites missing under CI: ${reason}`);
      });
    });
    return;
  }
  describe.skip(`${name} (skipped: ${reason})`, body);
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}
