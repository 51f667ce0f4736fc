import type { SnapshotView } from '../socket/snapshot-view.js';
import { callDaemon } from '../socket/socket-client.js';
import { defineCommand, printJson, printLines, withCommonOptions } from './command.js';
import { EXIT } from './exit-codes.js';

/** `selfsnap pin SNAPSHOT_ID`: keeps one of selfsnap's snapshots out of every prune. */
export const pinCommand = defineCommand({
  command: 'pin <snapshot>',
  describe: "keep one of selfsnap's snapshots out of every prune until it is unpinned",
  builder: (argv) =>
    withCommonOptions(argv)
      .positional('snapshot', { type: 'string', demandOption: true, describe: 'snapshot id' })
      .option('reason', {
        type: 'string',
        describe: 'why, stored as the selfsnap:pin tag value (at most 128 characters)',
      }),
  run: async (args) => {
    const answer = await callDaemon<{ snapshot: SnapshotView }>(
      args.socket,
      'POST',
      pinPath(args.snapshot),
      { body: { reason: args.reason } },
    );
    if (args.json) printJson(answer);
    else printLines(`pinned ${args.snapshot}${args.reason ? `: ${args.reason}` : ''}`);
    return EXIT.ok;
  },
});

/** `selfsnap unpin SNAPSHOT_ID`: lets the retention rules decide on a snapshot again. */
export const unpinCommand = defineCommand({
  command: 'unpin <snapshot>',
  describe: "remove the pin of one of selfsnap's snapshots, so that prunes decide on it again",
  builder: (argv) =>
    withCommonOptions(argv).positional('snapshot', {
      type: 'string',
      demandOption: true,
      describe: 'snapshot id',
    }),
  run: async (args) => {
    const answer = await callDaemon<{ snapshot: SnapshotView }>(
      args.socket,
      'DELETE',
      pinPath(args.snapshot),
    );
    if (args.json) printJson(answer);
    else printLines(`unpinned ${args.snapshot}`);
    return EXIT.ok;
  },
});

function pinPath(snapshotId: string): string {
  return `/v1/snapshots/${encodeURIComponent(snapshotId)}/pin`;
}
