import type { PolicyPrune, PruneAnswer } from '../retention/prune-on-request.js';
import type { DeleteResult } from '../retention/execute-prune.js';
import { formatTable, shortTime } from './format-table.js';

/** Formats a prune response: per policy a summary line, a table of snapshots and the warnings. */
export function formatPrune(answer: PruneAnswer): string {
  const blocks = answer.policies.map((policy) => formatPolicy(policy, answer.dryRun));
  return blocks.length === 0 ? 'no policies' : blocks.join('\n\n');
}

/** Counts the deletions of a prune response that did not happen: rejected for good or deferred. */
export function countUnfinished(answer: PruneAnswer): { undeletable: number; retryLater: number } {
  const summaries = answer.policies.flatMap((policy) => policy.summary ?? []);
  return {
    undeletable: summaries.reduce((sum, summary) => sum + summary.undeletable, 0),
    retryLater: summaries.reduce((sum, summary) => sum + summary.retryLater, 0),
  };
}

function formatPolicy(policy: PolicyPrune, dryRun: boolean): string {
  if (policy.status === 'skipped') return `policy ${policy.policy}: skipped (${policy.reason})`;
  const results = new Map(policy.summary?.results.map((result) => [result.snapshotId, result]));
  const deletions = policy.entries.filter((entry) => entry.action === 'delete').length;
  const kept = policy.entries.length - deletions;
  const header = dryRun
    ? `policy ${policy.policy}: would delete ${deletions}, keep ${kept} (dry run)`
    : `policy ${policy.policy}: ${describeSummary(policy)}, kept ${kept}`;
  if (policy.entries.length === 0) return `${header}\nno snapshots`;

  const table = formatTable(
    ['SNAPSHOT', 'DISK', 'CREATED', 'ACTION', 'REASON'],
    policy.entries.map((entry) => [
      entry.snapshotId,
      entry.diskId,
      shortTime(entry.creationTime),
      entry.action === 'keep' ? 'keep' : describeDeletion(results.get(entry.snapshotId), dryRun),
      entry.reasons.join(', '),
    ]),
  );
  const warnings = policy.warnings.map((warning) => `warning: ${warning}`);
  return [header, table, ...warnings].join('\n');
}

function describeSummary(policy: PolicyPrune): string {
  const summary = policy.summary;
  if (summary === undefined) return 'nothing deleted';
  const parts = [`deleted ${summary.deleted}`];
  if (summary.undeletable > 0) parts.push(`undeletable ${summary.undeletable}`);
  if (summary.retryLater > 0) parts.push(`retry later ${summary.retryLater}`);
  return parts.join(', ');
}

function describeDeletion(result: DeleteResult | undefined, dryRun: boolean): string {
  if (dryRun || result === undefined) return 'delete';
  if (result.outcome === 'deleted') return 'deleted';
  const cause = result.error?.ecsCode ?? result.error?.code;
  const outcome = result.outcome === 'undeletable' ? 'undeletable' : 'retry later';
  return cause === undefined ? outcome : `${outcome}: ${cause}`;
}
