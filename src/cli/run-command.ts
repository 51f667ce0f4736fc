import type { RunPrune } from '../snapshot/run-record.js';
import type { RunView } from '../socket/run-view.js';
import { callDaemon } from '../socket/socket-client.js';
import {
  COMMON_OPTIONS,
  defineCommand,
  defineDirectCommand,
  printJson,
  printLines,
} from './command.js';
import { EXIT } from './exit-codes.js';
import { formatDiskTable } from './format-run.js';
import { shortTime } from './format-table.js';

/** `selfsnap run show ID`: one run in detail. */
export const runShowCommand = defineDirectCommand({
  command: 'show',
  describe: 'show one run: per-disk results, timings and errors',
  positionals: { id: { type: 'string' } },
  options: COMMON_OPTIONS,
  run: async (args) => {
    const run = await callDaemon<RunView>(
      args.socket,
      'GET',
      `/v1/runs/${encodeURIComponent(args.id)}`,
    );
    if (args.json) printJson(run);
    else printLines(formatRunDetail(run));
    return EXIT.ok;
  },
});

/** `selfsnap run`: the group of run subcommands, of which `show` is the one. */
export const runCommand = defineCommand({
  command: 'run',
  describe: 'inspect one run (selfsnap run show ID)',
  builder: (argv) => argv.command(runShowCommand).demandCommand(1, 'name a subcommand: show'),
  run: async () => EXIT.usage,
});

function formatRunDetail(run: RunView): string {
  const seconds = (ms: number | null) => (ms === null ? '-' : `${(ms / 1000).toFixed(1)}s`);
  const lines = [
    `run ${run.id}  policy ${run.policy}  trigger ${run.trigger}  ${run.status} (${run.phase})`,
    `started ${shortTime(run.startedAt)}  accepted after ${seconds(run.timings.acceptedAfterMs)}  ` +
      `took ${seconds(run.timings.durationMs)}  freeze ${seconds(run.freezeWindowMs)}`,
  ];
  if (run.reason !== undefined) lines.push(`reason: ${run.reason}`);
  if (run.error !== undefined) lines.push(`error: ${run.error.code}: ${run.error.message}`);
  if (run.prune !== undefined) lines.push(formatRunPrune(run.prune));
  if (run.disks.length > 0) lines.push('', formatDiskTable(run));
  for (const disk of run.disks) {
    if (disk.error !== undefined) lines.push(`${disk.diskId}: ${disk.error.message}`);
  }
  return lines.join('\n');
}

function formatRunPrune(prune: RunPrune): string {
  if (prune.status === 'skipped') return `prune: skipped: ${prune.reason ?? 'no reason given'}`;
  const parts = [`deleted ${prune.deleted.length}`, `kept ${prune.kept}`];
  if (prune.undeletable.length > 0) parts.push(`undeletable ${prune.undeletable.join(' ')}`);
  if (prune.retryLater.length > 0) parts.push(`retry later ${prune.retryLater.length}`);
  return `prune: ${parts.join(', ')}`;
}
