/**
 * The points of a run where its record is journaled, in flow order. `create-returned` and
 * `group-create-returned` are not writes: they sit between a create's response and the write that
 * records it, the moment a crash is hardest to recover from.
 */
export const JOURNAL_STEPS = [
  'run-planned',
  'quiesce-started',
  'quiesce-done',
  'group-creating',
  'group-create-returned',
  'group-created',
  'disk-creating',
  'create-returned',
  'disk-created',
  'disk-failed',
  'released',
  'run-accepted',
  'run-progress',
  'run-parked',
  'run-interrupted',
  'run-finished',
] as const;

/** One journal point of a run. */
export type JournalStep = (typeof JOURNAL_STEPS)[number];

/** Environment variable naming the journal step at which the daemon kills itself. */
export const CRASH_AT_VARIABLE = 'SELFSNAP_TEST_CRASH_AT';

/**
 * Test aid: when `SELFSNAP_TEST_CRASH_AT` names `step`, the daemon SIGKILLs itself on reaching it,
 * so tests can prove that a restart finishes the run without creating anything twice. It never
 * fires when the variable is unset, which is how the unit runs the daemon.
 */
export function crashPoint(step: JournalStep): void {
  if (process.env[CRASH_AT_VARIABLE] !== step) return;
  process.stderr.write(`selfsnap: ${CRASH_AT_VARIABLE}=${step} reached; killing the daemon\n`);
  process.kill(process.pid, 'SIGKILL');
}
