import type { SnapshotView } from '../socket/snapshot-view.js';
import { callDaemon } from '../socket/socket-client.js';
import { COMMON_OPTIONS, defineDirectCommand, printJson, printLines } from './command.js';
import { EXIT } from './exit-codes.js';

/** `selfsnap pin SNAPSHOT_ID`: keeps one of selfsnap's snapshots out of every prune. */
export const pinCommand = defineDirectCommand({
  command: 'pin',
  describe: "keep one of selfsnap's snapshots out of every prune until it is unpinned",
  positionals: { snapshot: { type: 'string', describe: 'snapshot id' } },
  options: {
    ...COMMON_OPTIONS,
    reason: {
      type: 'string',
      describe: 'why, stored as the selfsnap:pin tag value (at most 128 characters)',
    },
  } as const,
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
export const unpinCommand = defineDirectCommand({
  command: 'unpin',
  describe: "remove the pin of one of selfsnap's snapshots, so that prunes decide on it again",
  positionals: { snapshot: { type: 'string', describe: 'snapshot id' } },
  options: COMMON_OPTIONS,
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
