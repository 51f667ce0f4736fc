import type { WaitMode } from '../config/index.js';
import type { RunRecord, Trigger } from '../snapshot/index.js';

/** The body of `POST /v1/runs`. */
export interface TriggerBody {
  policy?: string;
  reason?: string;
  trigger?: Extract<Trigger, 'manual' | 'hook'>;
  /** What to wait for before answering; `none` answers as soon as the run is started. */
  wait?: WaitMode | 'none';
  timeoutMs?: number;
}

/** The answer of `POST /v1/runs`. */
export interface TriggerAnswer {
  run: RunRecord;
  timedOut: boolean;
}

/** What the socket server asks of the daemon; the daemon implements it. */
export interface SocketApi {
  status(): unknown;
  listRuns(limit: number): RunRecord[];
  getRun(id: string): RunRecord | undefined;
  triggerRun(body: TriggerBody): Promise<TriggerAnswer>;
}
