import type { RunRecord } from '../snapshot/run-record.js';
import { formatTable } from './format-table.js';

/** Formats a run's disks as a table: disk, type, snapshot, status, progress, available. */
export function formatDiskTable(run: RunRecord): string {
  return formatTable(
    ['DISK', 'TYPE', 'SNAPSHOT', 'STATUS', 'PROGRESS', 'AVAILABLE'],
    run.disks.map((disk) => [
      disk.diskId,
      disk.diskType,
      disk.snapshotId ?? '-',
      disk.error === undefined
        ? disk.status
        : `${disk.status}: ${disk.error.ecsCode ?? disk.error.code}`,
      disk.progress === undefined ? '-' : `${disk.progress}%`,
      formatAvailable(disk.available),
    ]),
  );
}

function formatAvailable(available: boolean | undefined): string {
  if (available === undefined) return '-';
  return available ? 'yes' : 'no';
}

/** Formats a run's one-line header: id, policy, status and phase. */
export function formatRunHeader(run: RunRecord): string {
  return `run ${run.id}  policy ${run.policy}  ${run.status} (${run.phase})`;
}

/** Formats a run as its header and disk table. */
export function formatRun(run: RunRecord): string {
  const header = formatRunHeader(run);
  return run.disks.length === 0 ? header : `${header}\n${formatDiskTable(run)}`;
}
