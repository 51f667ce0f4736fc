import { stringify } from 'yaml';
import type { RunRecord } from '../../src/snapshot/index.js';
import { callDaemon } from '../../src/socket/index.js';
import { NetnsFixture } from '../support/netns-fixture.js';

/** A snapshot as the emulator's control endpoint lists it. */
export interface EmulatedSnapshot {
  snapshotId: string;
  description: string;
  sourceDiskId: string;
  tags: { key: string; value: string }[];
}

/** The hook settings a test varies. */
export interface HookTestSettings {
  minInterval?: string;
  timeout?: string;
  failClosed?: boolean;
}

/** Name of the policy the hook tests run. */
export const HOOK_POLICY = 'hooked';

/**
 * The emulator and a daemon in a network namespace (NetnsFixture) whose hook policy snapshots every
 * disk, plus the reads the package-hook tests check: runs through the socket, snapshots through
 * the emulator.
 */
export class HookFixture {
  private constructor(readonly netns: NetnsFixture) {}

  /** Starts the emulator and the daemon with `triggers.hook` built from `settings`. */
  static async start(settings: HookTestSettings = {}): Promise<HookFixture> {
    const netns = await NetnsFixture.start({
      policies: { [HOOK_POLICY]: { disks: 'all' } },
      triggers: { hook: hookSection(settings) },
      scenario: { settings: { snapshotDuration: '2s' } },
    });
    return new HookFixture(netns);
  }

  /** Path of the daemon's socket on the host. */
  get socketPath(): string {
    return this.netns.socketPath;
  }

  /** Lists the hook runs through the daemon's socket, newest first. */
  async hookRuns(): Promise<RunRecord[]> {
    const answer = await callDaemon<{ runs: RunRecord[] }>(
      this.socketPath,
      'GET',
      '/v1/runs?limit=200',
    );
    return answer.runs.filter((run) => run.trigger === 'hook');
  }

  /** Lists every snapshot the emulator holds. */
  async snapshots(): Promise<EmulatedSnapshot[]> {
    const answer = await this.netns.control<{ snapshots: EmulatedSnapshot[] }>('GET', 'snapshots');
    return answer.snapshots;
  }

  /** Lists the emulator's snapshots of one run, found by the `selfsnap:run` tag. */
  async snapshotsOfRun(runId: string): Promise<EmulatedSnapshot[]> {
    return (await this.snapshots()).filter((snapshot) =>
      snapshot.tags.some((tag) => tag.key === 'selfsnap:run' && tag.value === runId),
    );
  }

  /** Waits until no run is in flight, so the next hook cannot join a leftover run. */
  async waitIdle(timeoutMs = 30_000): Promise<void> {
    await this.netns.waitFor(
      async () =>
        (await this.hookRuns()).some((run) => run.status === 'running') ? undefined : true,
      timeoutMs,
      'no run in flight',
    );
  }

  /** Stops the daemon and the emulator and removes the namespace. */
  async stop(): Promise<void> {
    await this.netns.stop();
  }
}

/** Builds the `triggers.hook` section for a test. */
export function hookSection(settings: HookTestSettings): Record<string, unknown> {
  return {
    policy: HOOK_POLICY,
    minInterval: settings.minInterval ?? '0s',
    wait: 'accepted',
    timeout: settings.timeout ?? '30s',
    failClosed: settings.failClosed ?? false,
  };
}

/**
 * Builds the config file the hook reads: the same policy and hook settings as the daemon's, with
 * the socket and state folder at their paths in the hook's system.
 */
export function buildHookConfig(
  paths: { socketPath: string; stateDir: string },
  settings: HookTestSettings,
): string {
  const config = {
    socket: { path: paths.socketPath, group: null },
    stateDir: paths.stateDir,
    policies: { [HOOK_POLICY]: { disks: 'all' } },
    triggers: { hook: hookSection(settings) },
  };
  return stringify(config);
}

/** Returns the runs in `after` that are not in `before`. */
export function newRuns(before: RunRecord[], after: RunRecord[]): RunRecord[] {
  const known = new Set(before.map((run) => run.id));
  return after.filter((run) => !known.has(run.id));
}
