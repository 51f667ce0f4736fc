import { parseDuration } from '../config/duration.js';
import { SelfsnapError } from '../errors/index.js';
import type { SnapshotView } from '../socket/snapshot-view.js';
import { callDaemon } from '../socket/socket-client.js';
import { COMMON_OPTIONS, defineDirectCommand, printJson, printLines } from './command.js';
import { EXIT } from './exit-codes.js';
import { findRestorePoints, type RestoreQuery } from './find-restore-points.js';
import { formatRestoreSteps } from './format-restore-steps.js';

/** `selfsnap restore`: finds the snapshots to go back to and prints how to restore each disk. */
export const restoreCommand = defineDirectCommand({
  command: 'restore',
  describe: 'find the snapshot from before a time or with a reason, and print the restore steps',
  options: {
    ...COMMON_OPTIONS,
    before: {
      type: 'string',
      describe: 'a time (ISO 8601, e.g. 2026-12-04T15:00Z) or an age (e.g. 2h = two hours ago)',
    },
    reason: { type: 'string', describe: 'text the snapshot description contains' },
    disk: { type: 'string', describe: 'only this disk id' },
    yes: {
      type: 'boolean',
      default: false,
      describe: 'perform the restore (not supported)',
    },
  } as const,
  run: async (args) => {
    if (args.before === undefined && args.reason === undefined) {
      throw new SelfsnapError('REQUEST_INVALID', 'name --before TIME or --reason TEXT');
    }
    if (args.yes) {
      throw new SelfsnapError(
        'REQUEST_INVALID',
        'performing a restore is not supported: ResetDisk needs the instance stopped; follow the printed steps instead',
      );
    }
    const query: RestoreQuery = { reason: args.reason, disk: args.disk };
    if (args.before !== undefined) query.before = parseTime(args.before);

    const [{ snapshots }, status] = await Promise.all([
      callDaemon<{ snapshots: SnapshotView[] }>(args.socket, 'GET', '/v1/snapshots'),
      callDaemon<{ identity: { instanceId: string; regionId: string; zoneId: string } | null }>(
        args.socket,
        'GET',
        '/v1/status',
      ),
    ]);
    const points = findRestorePoints(snapshots, query);
    if (points.length === 0) {
      throw new SelfsnapError(
        'NOT_FOUND',
        `no accomplished snapshot matches ${describeQuery(query)}`,
      );
    }
    const identity = status.identity ?? {
      instanceId: '<instance id>',
      regionId: '<region id>',
      zoneId: '<zone id>',
    };
    if (args.json)
      printJson({ query: describeQuery(query), instance: identity, snapshots: points });
    else printLines(formatRestoreSteps(points, identity));
    return EXIT.ok;
  },
});

/** Reads `--before`: an ISO 8601 time, or an age such as `2h` meaning that long ago. */
function parseTime(text: string): Date {
  const ageMs = parseDuration(text);
  if (ageMs !== undefined) return new Date(Date.now() - ageMs);
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const time = Date.parse(text);
    if (Number.isFinite(time)) return new Date(time);
  }
  throw new SelfsnapError(
    'REQUEST_INVALID',
    `invalid --before "${text}": use an ISO 8601 time such as 2026-12-04T15:00Z or an age such as 2h`,
  );
}

function describeQuery(query: RestoreQuery): string {
  const parts = [];
  if (query.before !== undefined) parts.push(`created before ${query.before.toISOString()}`);
  if (query.reason !== undefined) parts.push(`description containing "${query.reason}"`);
  if (query.disk !== undefined) parts.push(`disk ${query.disk}`);
  return parts.join(', ');
}
