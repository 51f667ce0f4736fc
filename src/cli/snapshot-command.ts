import { parseDuration } from '../config/duration.js';
import type { WaitMode } from '../config/index.js';
import { SelfsnapError } from '../errors/index.js';
import type { RunRecord } from '../snapshot/run-record.js';
import type { RunEvent, TriggerAnswer, TriggerBody } from '../socket/index.js';
import { callDaemon, streamDaemon } from '../socket/socket-client.js';
import { COMMON_OPTIONS, defineDirectCommand, printJson, printLines } from './command.js';
import { EXIT } from './exit-codes.js';
import { formatRun } from './format-run.js';
import { createProgressView } from './progress-view.js';

// The daemon responds within the wait timeout, and this margin covers the call around it.
const CALL_MARGIN_MS = 30_000;

/** `selfsnap snapshot`: starts a run through the daemon and waits as asked. */
export const snapshotCommand = defineDirectCommand({
  command: 'snapshot',
  describe: 'snapshot the disks of a policy now, through the daemon',
  options: {
    ...COMMON_OPTIONS,
    policy: {
      type: 'string',
      describe: 'policy to run (default: the hook policy, else the first)',
    },
    reason: { type: 'string', describe: 'why, recorded in the snapshot description' },
    wait: {
      choices: ['none', 'accepted', 'available', 'accomplished'],
      default: 'accepted',
      describe: 'return once the snapshots are accepted, available or accomplished',
    },
    timeout: {
      type: 'string',
      default: '60s',
      describe: 'longest wait, e.g. 60s or 10m',
    },
    trigger: { choices: ['manual', 'hook'], default: 'manual', hidden: true },
  } as const,
  run: async (args) => {
    const timeoutMs = parseDuration(args.timeout);
    if (timeoutMs === undefined) {
      throw new SelfsnapError(
        'REQUEST_INVALID',
        `invalid --timeout "${args.timeout}": use e.g. 60s or 10m`,
      );
    }
    const body: TriggerBody = {
      policy: args.policy,
      reason: args.reason,
      trigger: args.trigger,
      wait: args.wait,
      timeoutMs,
    };
    const call = { body, timeoutMs: timeoutMs + CALL_MARGIN_MS };
    const answer =
      args.json || args.wait === 'none'
        ? await callDaemon<TriggerAnswer>(args.socket, 'POST', '/v1/runs', call)
        : await streamProgress(args.socket, call);
    warnIfJoined(body, answer.run);
    if (args.json) printJson(answer);
    else if (args.wait === 'none') printLines(formatRun(answer.run));
    return reportOutcome(answer, args.wait);
  },
});

// The daemon returns a run already in flight when it covers the requested disks, or a recent
// hook run it reuses. That run keeps its own policy and reason, so a warning names it.
function warnIfJoined(body: TriggerBody, run: RunRecord): void {
  const otherPolicy = body.policy !== undefined && run.policy !== body.policy;
  const otherReason = body.reason !== undefined && run.reason !== body.reason;
  if (!otherPolicy && !otherReason) return;
  const reason = run.reason === undefined ? 'no reason' : `reason "${run.reason}"`;
  process.stderr.write(
    `selfsnap: joined run ${run.id} (policy ${run.policy}, ${reason}), which already covers ` +
      `these disks; your policy and reason are not recorded\n`,
  );
}

async function streamProgress(
  socket: string,
  call: { body: TriggerBody; timeoutMs: number },
): Promise<TriggerAnswer> {
  const view = createProgressView(process.stdout);
  let answer: TriggerAnswer | undefined;
  await streamDaemon(socket, '/v1/runs?stream=1', call, (line) => {
    const event = line as RunEvent;
    if (event.type === 'run') view.update(event.run);
    if (event.type === 'result') {
      view.finish(event.run);
      answer = { run: event.run, timedOut: event.timedOut };
    }
    if (event.type === 'error') {
      const error = event.error as { code?: string; message?: string };
      throw new SelfsnapError(
        (error.code ?? 'INTERNAL') as never,
        error.message ?? 'the daemon reported an error',
      );
    }
  });
  if (answer === undefined) {
    throw new SelfsnapError('INTERNAL', 'the daemon ended the progress stream without a result');
  }
  return answer;
}

function reportOutcome(answer: TriggerAnswer, wait: WaitMode | 'none'): number {
  const code = exitCodeOf(answer, wait);
  if (code !== EXIT.ok)
    process.stderr.write(`selfsnap: ${describeFailure(answer.run, answer.timedOut, wait)}\n`);
  return code;
}

// A run that reached "accepted" is still running, so the exit code comes from its disks'
// outcomes.
function exitCodeOf(answer: TriggerAnswer, wait: WaitMode | 'none'): number {
  const { run } = answer;
  if (run.status === 'failed') return EXIT.cloudError;
  if (run.status === 'partial') return EXIT.partial;
  if (answer.timedOut) return EXIT.timeout;
  if (wait === 'none') return EXIT.ok;
  const missed = countMissedDisks(run);
  if (missed > 0 && missed === run.disks.length) return EXIT.cloudError;
  if (missed > 0) return EXIT.partial;
  return EXIT.ok;
}

function countMissedDisks(run: RunRecord): number {
  return run.disks.filter((disk) => disk.status === 'failed' || disk.status === 'skipped').length;
}

function describeFailure(run: RunRecord, timedOut: boolean, wait: WaitMode | 'none'): string {
  const firstError = run.error ?? run.disks.find((disk) => disk.error !== undefined)?.error;
  const detail = firstError === undefined ? '' : `: ${firstError.message}`;
  if (run.status === 'failed') return `run ${run.id} failed${detail}`;
  if (timedOut) return `run ${run.id} did not reach "${wait}" in time; it goes on in the daemon`;
  if (countMissedDisks(run) === run.disks.length) {
    return `run ${run.id} failed: no disk got a snapshot${detail}`;
  }
  return `run ${run.id} is partial${detail}`;
}
