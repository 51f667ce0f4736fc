import type { RunRecord } from '../snapshot/index.js';
import { callDaemon, type TriggerAnswer, type TriggerBody } from '../socket/index.js';
import type { HookPhase } from '../triggers/index.js';
import type { HookSettings } from './load-hook-settings.js';

// The daemon replies within the hook's timeout, and this margin covers the call around it.
const CALL_MARGIN_MS = 5000;
const POLL_INTERVAL_MS = 500;

/**
 * Starts the hook run through the daemon's socket and waits for the `triggers.hook.wait` mode. The
 * daemon hands a trigger the run in flight that already snapshots the same disks. A post hook
 * must not take the run from before the transaction, so it waits (within the hook's timeout) for
 * that run to finish and asks again; if that run is still going, the answer is that run.
 */
export async function triggerHookRun(
  settings: HookSettings,
  reason: string,
  phase: HookPhase,
): Promise<TriggerAnswer> {
  const deadline = Date.now() + settings.timeoutMs;
  const answer = await postRun(settings, reason, settings.timeoutMs);
  if (phase === 'pre' || answer.run.reason === reason) return answer;

  const finished = await waitForEnd(settings.socketPath, answer.run, deadline);
  if (finished === undefined) return { run: answer.run, timedOut: true };
  return postRun(settings, reason, Math.max(1000, deadline - Date.now()));
}

async function postRun(
  settings: HookSettings,
  reason: string,
  timeoutMs: number,
): Promise<TriggerAnswer> {
  // No policy: the daemon runs triggers.hook.policy and applies triggers.hook.minInterval.
  const body: TriggerBody = { reason, trigger: 'hook', wait: settings.wait, timeoutMs };
  const call = { body, timeoutMs: timeoutMs + CALL_MARGIN_MS };
  return callDaemon<TriggerAnswer>(settings.socketPath, 'POST', '/v1/runs', call);
}

async function waitForEnd(
  socketPath: string,
  run: RunRecord,
  deadline: number,
): Promise<RunRecord | undefined> {
  let current = run;
  while (current.status === 'running') {
    if (Date.now() + POLL_INTERVAL_MS > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    current = await callDaemon<RunRecord>(socketPath, 'GET', `/v1/runs/${run.id}`);
  }
  return current;
}
