import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../state/index.js';
import type { PackageManager } from '../triggers/index.js';
import type { HookOutcome } from './hook-outcome.js';

/** The transaction a pre hook started, kept for the post hook of the same package transaction. */
export interface PendingTransaction {
  transaction: string;
  summary: string;
  startedAt: string;
}

// A post hook more than a day after its pre hook belongs to an interrupted transaction.
const PENDING_MAX_AGE_MS = 86_400_000;

function hooksDir(stateDir: string): string {
  return join(stateDir, 'hooks');
}

/** Records the transaction a pre hook started; apt runs the post hook as a separate process. */
export async function savePendingTransaction(
  stateDir: string,
  manager: PackageManager,
  pending: PendingTransaction,
): Promise<void> {
  await mkdir(hooksDir(stateDir), { recursive: true, mode: 0o700 });
  const path = join(hooksDir(stateDir), `${manager}-transaction.json`);
  await writeFileAtomic(path, `${JSON.stringify(pending)}\n`);
}

/** Reads and deletes the transaction of the last pre hook; undefined when none is pending. */
export async function takePendingTransaction(
  stateDir: string,
  manager: PackageManager,
  now = new Date(),
): Promise<PendingTransaction | undefined> {
  const path = join(hooksDir(stateDir), `${manager}-transaction.json`);
  const text = await readFile(path, 'utf8').catch(() => undefined);
  await rm(path, { force: true });
  if (text === undefined) return undefined;
  try {
    const pending = JSON.parse(text) as PendingTransaction;
    const age = now.getTime() - Date.parse(pending.startedAt);
    return age >= 0 && age < PENDING_MAX_AGE_MS ? pending : undefined;
  } catch {
    return undefined;
  }
}

/** Stores the outcome of the last hook, which `selfsnap hooks status` shows. */
export async function saveHookOutcome(stateDir: string, outcome: HookOutcome): Promise<void> {
  await mkdir(hooksDir(stateDir), { recursive: true, mode: 0o700 });
  await writeFileAtomic(
    join(hooksDir(stateDir), 'last-outcome.json'),
    `${JSON.stringify(outcome)}\n`,
  );
}

/** Reads the outcome of the last hook; undefined when no hook has run yet. */
export async function readHookOutcome(stateDir: string): Promise<HookOutcome | undefined> {
  const text = await readFile(join(hooksDir(stateDir), 'last-outcome.json'), 'utf8').catch(
    () => undefined,
  );
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as HookOutcome;
  } catch {
    return undefined;
  }
}
