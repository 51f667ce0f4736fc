import type { RunRecord } from '../snapshot/run-record.js';

const RUN_STATUSES = new Set(['running', 'succeeded', 'partial', 'failed']);
const RUN_PHASES = new Set(['planning', 'creating', 'waiting', 'done']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/**
 * Parses a stored run record. Throws with the reason when the text is not JSON or lacks a field
 * that resuming or listing the run reads, so one damaged file cannot stop the daemon later on.
 */
export function parseRunRecord(text: string): RunRecord {
  const value: unknown = JSON.parse(text);
  if (!isObject(value)) throw new Error('not a JSON object');
  for (const field of ['id', 'policy', 'trigger', 'instanceId', 'snapshotName', 'startedAt']) {
    if (!isString(value[field])) throw new Error(`missing or invalid ${field}`);
  }
  if (!RUN_STATUSES.has(value.status as string)) throw new Error('missing or invalid status');
  if (!RUN_PHASES.has(value.phase as string)) throw new Error('missing or invalid phase');
  if (Number.isNaN(Date.parse(value.startedAt as string))) throw new Error('invalid startedAt');
  const disks = value.disks;
  if (!Array.isArray(disks)) throw new Error('missing or invalid disks');
  for (const disk of disks) {
    if (!isObject(disk) || !isString(disk.diskId) || !isString(disk.status)) {
      throw new Error('a disk lacks its diskId or status');
    }
    if (!isString(disk.clientToken)) {
      throw new Error(`disk ${disk.diskId} lacks its ClientToken`);
    }
  }
  return value as unknown as RunRecord;
}
