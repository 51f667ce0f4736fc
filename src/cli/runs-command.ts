import type { RunView } from '../socket/run-view.js';
import { callDaemon } from '../socket/socket-client.js';
import { COMMON_OPTIONS, defineDirectCommand, printJson, printLines } from './command.js';
import { EXIT } from './exit-codes.js';
import { formatTable, shortTime } from './format-table.js';

/** `selfsnap runs`: run history, newest first, filtered by policy and status. */
export const runsCommand = defineDirectCommand({
  command: 'runs',
  describe: 'list recent runs, newest first',
  options: {
    ...COMMON_OPTIONS,
    policy: { type: 'string', describe: 'only runs of this policy' },
    status: {
      choices: ['running', 'succeeded', 'partial', 'failed'],
      describe: 'only runs with this status',
    },
    limit: { type: 'number', default: 20, describe: 'most runs to show (1-200)' },
  } as const,
  run: async (args) => {
    const query = new URLSearchParams({ limit: String(args.limit) });
    if (args.policy !== undefined) query.set('policy', args.policy);
    if (args.status !== undefined) query.set('status', args.status);
    const { runs } = await callDaemon<{ runs: RunView[] }>(
      args.socket,
      'GET',
      `/v1/runs?${query.toString()}`,
    );
    if (args.json) printJson({ runs });
    else printLines(runs.length === 0 ? 'no runs' : formatRuns(runs));
    return EXIT.ok;
  },
});

function formatRuns(runs: RunView[]): string {
  return formatTable(
    ['RUN', 'POLICY', 'TRIGGER', 'STATUS', 'SNAPSHOTS', 'STARTED', 'DURATION'],
    runs.map((run) => [
      run.id,
      run.policy,
      run.trigger,
      run.status,
      `${run.disks.filter((disk) => disk.snapshotId !== undefined).length}/${run.disks.length}`,
      shortTime(run.startedAt),
      run.timings.durationMs === null ? '-' : `${(run.timings.durationMs / 1000).toFixed(1)}s`,
    ]),
  );
}
