import type { WaitMode } from '../config/index.js';
import type { RunRecord } from '../snapshot/run-record.js';
import { callDaemon, type TriggerAnswer } from '../socket/index.js';
import { EXIT } from './exit-codes.js';
import { formatTable } from './format-table.js';

/** Options of `selfsnap snapshot`. */
export interface SnapshotOptions {
  socket: string;
  json: boolean;
  policy?: string;
  reason?: string;
  trigger: 'manual' | 'hook';
  wait: WaitMode | 'none';
  timeoutMs: number;
}

/** Triggers a run through the daemon and waits as asked; the exit code says how it went. */
export async function snapshotCommand(options: SnapshotOptions): Promise<number> {
  const answer = await callDaemon<TriggerAnswer>(options.socket, 'POST', '/v1/runs', {
    policy: options.policy,
    reason: options.reason,
    trigger: options.trigger,
    wait: options.wait,
    timeoutMs: options.timeoutMs,
  });
  const code = exitCodeOf(answer, options.wait);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
  } else {
    process.stdout.write(`${formatRun(answer.run)}\n`);
  }
  if (code !== EXIT.ok)
    process.stderr.write(`selfsnap: ${describeFailure(answer, options.wait)}\n`);
  return code;
}

function exitCodeOf(answer: TriggerAnswer, wait: WaitMode | 'none'): number {
  const { run } = answer;
  if (run.status === 'failed') return EXIT.cloudError;
  if (run.status === 'partial') return EXIT.partial;
  if (answer.timedOut) return EXIT.timeout;
  if (wait !== 'none' && run.disks.some((disk) => disk.status === 'failed')) return EXIT.partial;
  return EXIT.ok;
}

function describeFailure(answer: TriggerAnswer, wait: WaitMode | 'none'): string {
  const { run } = answer;
  const firstError = run.error ?? run.disks.find((disk) => disk.error !== undefined)?.error;
  const detail = firstError === undefined ? '' : `: ${firstError.message}`;
  if (run.status === 'failed') return `run ${run.id} failed${detail}`;
  if (answer.timedOut)
    return `run ${run.id} did not reach "${wait}" in time; it goes on in the daemon`;
  return `run ${run.id} is partial${detail}`;
}

function formatRun(run: RunRecord): string {
  const header = `run ${run.id}  policy ${run.policy}  ${run.status} (${run.phase})`;
  if (run.disks.length === 0) return header;
  const table = formatTable(
    ['DISK', 'TYPE', 'SNAPSHOT', 'STATUS', 'PROGRESS', 'AVAILABLE'],
    run.disks.map((disk) => [
      disk.diskId,
      disk.diskType,
      disk.snapshotId ?? '-',
      disk.error === undefined
        ? disk.status
        : `${disk.status}: ${disk.error.ecsCode ?? disk.error.code}`,
      disk.progress === undefined ? '-' : `${disk.progress}%`,
      disk.available === undefined ? '-' : disk.available ? 'yes' : 'no',
    ]),
  );
  return `${header}\n${table}`;
}
