import { it } from 'vitest';

/**
 * Declares tests that need the real system (root, namespaces, loop devices). When `reason` says
 * they cannot run, they fail under CI=true, because CI must prove them, and are skipped elsewhere.
 */
export function realSystemIt(reason: string | undefined) {
  return (name: string, body: () => Promise<void>, timeoutMs?: number) => {
    if (reason === undefined) return it(name, body, timeoutMs);
    if (process.env.CI === 'true' || process.env.CI === '1') {
      return it(name, () => {
        throw new Error(`cannot run on this machine: ${reason}`);
      });
    }
    return it.skip(`${name} (skipped: ${reason})`, body);
  };
}
