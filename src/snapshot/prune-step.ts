import type { PolicyConfig } from '../config/index.js';
import { recordError } from './record-error.js';
import type { RunContext } from './run-context.js';
import type { RunRecord } from './run-record.js';

/**
 * Calls the prune hook once every disk of the run has finished and records what it did on the
 * run. A hook that throws is logged and recorded as a skipped prune, so the run still ends.
 */
export async function pruneIfAsked(
  run: RunRecord,
  policy: PolicyConfig,
  context: RunContext,
): Promise<void> {
  const prune = context.hooks?.prune;
  if (prune === undefined || run.error !== undefined) return;

  try {
    const result = await prune(run, policy);
    if (result !== undefined) run.prune = result;
  } catch (error) {
    const recorded = recordError(error);
    context.logger.error({ err: recorded }, 'pruning failed; the next run tries again');
    run.prune = {
      status: 'skipped',
      reason: `pruning failed: ${recorded.message}`,
      diskIds: [],
      deleted: [],
      kept: 0,
      undeletable: [],
      retryLater: [],
      finishedAt: new Date().toISOString(),
    };
  }
}
