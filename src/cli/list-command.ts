import type { SnapshotView } from '../socket/snapshot-view.js';
import { callDaemon } from '../socket/socket-client.js';
import { parseHookReason } from '../triggers/hook-reason.js';
import { COMMON_OPTIONS, defineDirectCommand, printJson, printLines } from './command.js';
import { EXIT } from './exit-codes.js';
import { formatAge, formatTable, truncate } from './format-table.js';

// Reasons can be 256 characters; the table shows the start, --json the whole text.
const REASON_WIDTH = 40;

/** `selfsnap list`: selfsnap's snapshots of this instance, newest first. */
export const listCommand = defineDirectCommand({
  command: 'list',
  describe: "list selfsnap's snapshots of this instance",
  options: {
    ...COMMON_OPTIONS,
    policy: { type: 'string', describe: 'only snapshots of this policy' },
    disk: { type: 'string', describe: 'only snapshots of this disk id' },
    transaction: {
      type: 'string',
      describe: 'only the before and after snapshots of this package transaction',
    },
  } as const,
  run: async (args) => {
    const query = args.policy === undefined ? '' : `?policy=${encodeURIComponent(args.policy)}`;
    const answer = await callDaemon<{ snapshots: SnapshotView[] }>(
      args.socket,
      'GET',
      `/v1/snapshots${query}`,
    );
    const snapshots = answer.snapshots
      .filter((snapshot) => args.disk === undefined || snapshot.diskId === args.disk)
      .filter(
        (snapshot) => args.transaction === undefined || snapshot.transaction === args.transaction,
      )
      .sort((a, b) => b.creationTime.localeCompare(a.creationTime));
    if (args.json) printJson({ snapshots });
    else printLines(snapshots.length === 0 ? 'no snapshots' : formatSnapshots(snapshots));
    return EXIT.ok;
  },
});

function formatSnapshots(snapshots: SnapshotView[]): string {
  return formatTable(
    ['SNAPSHOT', 'DISK', 'POLICY', 'STATUS', 'AGE', 'TRIGGER', 'PIN', 'REASON'],
    snapshots.map((snapshot) => [
      snapshot.snapshotId,
      snapshot.diskId,
      snapshot.policy ?? '-',
      snapshot.status === 'progressing' ? `${snapshot.progress}%` : snapshot.status,
      formatAge(snapshot.creationTime),
      snapshot.trigger ?? '-',
      snapshot.pinned ? 'yes' : '',
      truncate(describeReason(snapshot), REASON_WIDTH),
    ]),
  );
}

// Package hooks write `apt pre 3f9c0a1b2d4e: upgrade nginx ...`; a person reads "before apt: ...".
function describeReason(snapshot: SnapshotView): string {
  const reason = snapshot.reason ?? snapshot.description;
  const hook = snapshot.trigger === 'hook' ? parseHookReason(reason) : undefined;
  if (hook === undefined) return reason;
  const when = hook.phase === 'pre' ? 'before' : 'after';
  return `${when} ${hook.manager} ${hook.transaction}: ${hook.summary}`;
}
