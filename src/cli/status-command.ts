import type { buildStatus } from '../daemon-status.js';
import { callDaemon } from '../socket/socket-client.js';
import { COMMON_OPTIONS, defineDirectCommand, printJson, printLines } from './command.js';
import { EXIT } from './exit-codes.js';
import { formatSeconds, formatTable, shortTime } from './format-table.js';

type StatusBody = ReturnType<typeof buildStatus>;

/** `selfsnap status`: identity, health, policies with last and next run, runs in flight. */
export const statusCommand = defineDirectCommand({
  command: 'status',
  describe: 'show identity, health, policies and recent runs',
  options: COMMON_OPTIONS,
  run: async (args) => {
    const status = await callDaemon<StatusBody>(args.socket, 'GET', '/v1/status');
    if (args.json) printJson(status);
    else printLines(formatStatus(status));
    return status.ready ? EXIT.ok : EXIT.notReady;
  },
});

function formatStatus(status: StatusBody): string {
  const identity = status.identity;
  const identityLine = identity
    ? `instance ${identity.instanceId}  region ${identity.regionId}  zone ${identity.zoneId}`
    : 'instance unknown (metadata service not reached yet)';
  const { health } = status;
  const expires = health.credentials.expiresInSeconds;
  const lines = [
    `selfsnap ${status.version}  ${identityLine}`,
    `health ${health.status}  up ${formatSeconds(status.uptimeSeconds)}  ` +
      `metadata ${health.metadata.ok ? 'ok' : 'failing'}  ` +
      `credentials ${expires === null ? 'none yet' : `expire in ${formatSeconds(expires)}`}  ` +
      `api ${formatApiHealth(health.api.reachable)}`,
  ];
  if (health.lastError !== null) lines.push(`last error: ${health.lastError}`);
  lines.push('', formatPolicies(status));
  if (status.inFlight.length > 0) {
    const running = status.inFlight.map((run) => `${run.id} (${run.phase})`).join(', ');
    lines.push('', `in flight: ${running}`);
  }
  if (status.recentRuns.length > 0) lines.push('', formatRecentRuns(status));
  return lines.join('\n');
}

function formatApiHealth(reachable: boolean | null): string {
  if (reachable === null) return 'not called yet';
  return reachable ? 'ok' : 'failing';
}

function formatPolicies(status: StatusBody): string {
  return formatTable(
    ['POLICY', 'SCHEDULE', 'LAST RUN', 'STARTED', 'NEXT RUN'],
    status.policies.map((policy) => [
      policy.name,
      policy.schedule ?? '(manual)',
      policy.lastRun?.status ?? 'never',
      shortTime(policy.lastRun?.startedAt),
      shortTime(policy.nextRunAt),
    ]),
  );
}

function formatRecentRuns(status: StatusBody): string {
  return formatTable(
    ['RUN', 'TRIGGER', 'STATUS', 'SNAPSHOTS', 'STARTED'],
    status.recentRuns.flatMap((run) =>
      run === null
        ? []
        : [
            [
              run.id,
              run.trigger,
              run.status,
              `${run.snapshots}/${run.disks}`,
              shortTime(run.startedAt),
            ],
          ],
    ),
  );
}
