import type { PruneAnswer, PruneRequest } from '../retention/prune-on-request.js';
import { callDaemon } from '../socket/socket-client.js';
import { COMMON_OPTIONS, defineDirectCommand, printJson, printLines } from './command.js';
import { EXIT } from './exit-codes.js';
import { countUnfinished, formatPrune } from './format-prune.js';

// The daemon responds once every deletion is done, and hundreds of them take minutes.
const PRUNE_CALL_TIMEOUT_MS = 30 * 60_000;

/** `selfsnap prune`: prunes through the daemon now, or shows what it would do with --dry-run. */
export const pruneCommand = defineDirectCommand({
  command: 'prune',
  describe: "delete selfsnap's snapshots that the retention rules no longer keep",
  options: {
    ...COMMON_OPTIONS,
    policy: {
      type: 'string',
      describe: 'only this policy (default: every policy with retention rules)',
    },
    'dry-run': {
      type: 'boolean',
      default: false,
      describe: 'list every snapshot that would be deleted or kept, and why; delete nothing',
    },
  } as const,
  run: async (args) => {
    const body: PruneRequest = { policy: args.policy, dryRun: args.dryRun };
    const answer = await callDaemon<PruneAnswer>(args.socket, 'POST', '/v1/prune', {
      body,
      timeoutMs: PRUNE_CALL_TIMEOUT_MS,
    });
    if (args.json) printJson(answer);
    else printLines(formatPrune(answer));
    return reportUnfinished(answer);
  },
});

function reportUnfinished(answer: PruneAnswer): number {
  const { undeletable, retryLater } = countUnfinished(answer);
  if (undeletable === 0 && retryLater === 0) return EXIT.ok;
  process.stderr.write(
    `selfsnap: prune partial: ${undeletable} undeletable, ${retryLater} deferred to the next prune\n`,
  );
  return EXIT.partial;
}
