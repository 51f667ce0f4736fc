import { createHash, randomBytes } from 'node:crypto';
import type { PolicyConfig } from '../config/index.js';
import type { RunRecord, Trigger } from './run-record.js';
import { parseHookReason } from '../triggers/hook-reason.js';

/** Tag keys selfsnap writes on every snapshot it creates. */
export const TAG = {
  instance: 'selfsnap:instance',
  policy: 'selfsnap:policy',
  trigger: 'selfsnap:trigger',
  run: 'selfsnap:run',
  consistency: 'selfsnap:consistency',
  /** Shared by the before and after snapshots of one package transaction. */
  transaction: 'selfsnap:transaction',
} as const;

// ECS limits: Description 2-256 characters and no http(s):// prefix.
const DESCRIPTION_MAX = 256;

/** Formats a time as `20261204T153000Z`, the form used in run ids and snapshot names. */
export function compactUtc(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Creates a run id: UTC start time, policy and a random suffix, e.g. `20261204T153000Z-nightly-9f3a`. */
export function createRunId(policy: string, startedAt: Date): string {
  return `${compactUtc(startedAt)}-${policy}-${randomBytes(2).toString('hex')}`;
}

/**
 * Builds the snapshot name: `selfsnap-<policy>-<UTC time>`. Policy names are lowercase letters,
 * digits and dashes, so the name always meets the ECS rules (2-128 characters, starting with a
 * letter, no `auto` or URL prefix).
 */
export function buildSnapshotName(policy: string, startedAt: Date): string {
  return `selfsnap-${policy}-${compactUtc(startedAt)}`;
}

/** Derives the ClientToken of one disk in one run, so a repeated create returns the first snapshot. */
export function deriveClientToken(runId: string, diskId: string): string {
  return createHash('sha256').update(`${runId}\n${diskId}`).digest('hex').slice(0, 48);
}

/** Derives the ClientToken of a run's snapshot group, so a repeated create returns the first group. */
export function deriveGroupClientToken(runId: string): string {
  return deriveClientToken(runId, 'snapshot-group');
}

/**
 * Builds the tags of a run's snapshots: the policy's own, then selfsnap's. They must stay the same
 * for the whole run, because a create repeated with the same ClientToken and other tags fails
 * with `IdempotentParameterMismatch`.
 */
export function buildRunTags(run: RunRecord, policy: PolicyConfig): Record<string, string> {
  return {
    ...policy.tags,
    [TAG.instance]: run.instanceId,
    [TAG.policy]: run.policy,
    [TAG.trigger]: run.trigger,
    [TAG.run]: run.id,
    [TAG.consistency]: run.consistency?.applied ?? 'crash',
    ...transactionTag(run),
  };
}

// Package hooks start their reason with `<manager> <pre|post> <transaction id>:`.
function transactionTag(run: RunRecord): Record<string, string> {
  if (run.trigger !== 'hook') return {};
  const transaction = parseHookReason(run.reason)?.transaction;
  return transaction === undefined ? {} : { [TAG.transaction]: transaction };
}

/** Builds the snapshot description from trigger and reason, within the ECS limits. */
export function buildDescription(trigger: Trigger, reason: string | undefined): string {
  const text =
    reason === undefined || reason.trim() === ''
      ? `selfsnap ${trigger}`
      : `selfsnap ${trigger}: ${reason.trim()}`;
  // Control characters would break the one-line description the console and CLI show.
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f]/g, ' ').slice(0, DESCRIPTION_MAX);
}
