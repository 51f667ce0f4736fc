import { callDaemon } from '../socket/index.js';
import { formatTable, shortTime } from './format-table.js';

interface RunSummary {
  id: string;
  policy: string;
  trigger: string;
  status: string;
  startedAt: string;
  snapshots: number;
  disks: number;
  error: { code: string; message: string } | null;
}

interface StatusBody {
  version: string;
  ready: boolean;
  uptimeSeconds: number;
  identity: { instanceId: string; regionId: string; zoneId: string } | null;
  health: { status: string; metadata: { lastError?: string }; api: { lastError?: string } };
  policies: {
    name: string;
    schedule: string | null;
    lastRun: RunSummary | null;
    nextRunAt: string | null;
  }[];
  recentRuns: RunSummary[];
}

/** Prints the daemon's status: identity, health, policies and recent runs. */
export async function statusCommand(socket: string, json: boolean): Promise<number> {
  const status = await callDaemon<StatusBody>(socket, 'GET', '/v1/status');
  if (json) {
    process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`${formatStatus(status)}\n`);
  return 0;
}

function formatStatus(status: StatusBody): string {
  const identity = status.identity;
  const who = identity
    ? `instance ${identity.instanceId}  region ${identity.regionId}  zone ${identity.zoneId}`
    : 'instance unknown (metadata service not reached yet)';
  const lines = [
    `selfsnap ${status.version}  ${who}`,
    `health ${status.health.status}  up ${status.uptimeSeconds}s`,
  ];
  for (const problem of [status.health.metadata.lastError, status.health.api.lastError]) {
    if (problem !== undefined) lines.push(`  problem: ${problem}`);
  }
  lines.push(
    '',
    formatTable(
      ['POLICY', 'SCHEDULE', 'LAST RUN', 'STARTED', 'NEXT RUN'],
      status.policies.map((policy) => [
        policy.name,
        policy.schedule ?? '(manual)',
        policy.lastRun?.status ?? 'never',
        shortTime(policy.lastRun?.startedAt),
        shortTime(policy.nextRunAt),
      ]),
    ),
  );
  if (status.recentRuns.length > 0) {
    lines.push(
      '',
      formatTable(
        ['RUN', 'TRIGGER', 'STATUS', 'SNAPSHOTS', 'STARTED'],
        status.recentRuns.map((run) => [
          run.id,
          run.trigger,
          run.status,
          `${run.snapshots}/${run.disks}`,
          shortTime(run.startedAt),
        ]),
      ),
    );
  }
  return lines.join('\n');
}
