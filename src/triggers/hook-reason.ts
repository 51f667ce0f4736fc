import { SelfsnapError } from '../errors/index.js';

/** Package managers whose hooks selfsnap installs. */
export type PackageManager = 'apt' | 'dnf';

/** Whether a hook runs before or after the package manager changes packages. */
export type HookPhase = 'pre' | 'post';

/** The fields a package hook writes at the start of a run's reason. */
export interface HookReason {
  manager: PackageManager;
  phase: HookPhase;
  /** Shared by the pre and post runs of one package transaction. */
  transaction: string;
  /** The packages being changed, e.g. `upgrade nginx 1.22 -> 1.24`. */
  summary: string;
}

/** Maximum reason length the socket accepts, which is also the ECS limit on a snapshot description. */
export const REASON_MAX = 256;

const TRANSACTION_PATTERN = /^[0-9a-f]{8,32}$/;
const REASON_PATTERN = /^(apt|dnf) (pre|post) ([0-9a-f]{8,32}): (.*)$/s;

/**
 * Formats a hook's reason as `apt pre 3f9c0a1b2d4e: upgrade nginx 1.22 -> 1.24`, cut to
 * `REASON_MAX`. The prefix lets the daemon tell a post-transaction trigger from a pre one and lets
 * a reader pair the two runs of one transaction.
 */
export function formatHookReason(reason: HookReason): string {
  if (!TRANSACTION_PATTERN.test(reason.transaction)) {
    throw new SelfsnapError(
      'REQUEST_INVALID',
      `transaction id "${reason.transaction}" is not 8 to 32 lowercase hex digits`,
    );
  }
  return `${reason.manager} ${reason.phase} ${reason.transaction}: ${reason.summary}`.slice(
    0,
    REASON_MAX,
  );
}

/** Parses a reason written by `formatHookReason`; returns undefined for any other text. */
export function parseHookReason(text: string | undefined): HookReason | undefined {
  const match = REASON_PATTERN.exec(text ?? '');
  if (match === null) return undefined;
  return {
    manager: match[1] as PackageManager,
    phase: match[2] as HookPhase,
    transaction: match[3] as string,
    summary: match[4] as string,
  };
}
