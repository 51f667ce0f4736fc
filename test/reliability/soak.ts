import { readdirSync } from 'node:fs';
import { mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { RunRecord } from '../../src/snapshot/index.js';
import type { SnapshotView } from '../emulator/index.js';
import { fetchRoleCredentials } from '../emulator/sdk-client.js';
import { SeededRandom } from '../support/seeded-random.js';
import { FaultInjector } from './soak-faults.js';
import { checkInvariants } from './invariants.js';
import { RetentionLedger } from './retention-ledger.js';
import { startSoakStack, type SoakStack } from './soak-stack.js';

/** How long and how hard to soak. */
export interface SoakOptions {
  runs: number;
  seed: number;
  /** Runs in flight at once (policies over the same disks join instead). */
  concurrency: number;
  /** Share of triggers preceded by an injected fault. */
  faultRate: number;
  sampleEvery: number;
  checkEvery: number;
  onProgress?: (line: string) => void;
}

/** Memory and descriptors of this process after some runs. */
export interface SoakSample {
  runs: number;
  elapsedS: number;
  rssMb: number;
  heapMb: number;
  fds: number;
}

/** What a soak did and found. */
export interface SoakReport {
  runs: number;
  joinedTriggers: number;
  statuses: Record<string, number>;
  /** Error codes of failed runs and of failed or skipped disks, counted. */
  errors: Record<string, number>;
  faults: Record<string, number>;
  samples: SoakSample[];
  violations: string[];
  durationS: number;
  checkpoints: number;
}

const DATA_DISKS = [
  'd-bp1soak0dat00001',
  'd-bp1soak0dat00002',
  'd-bp1soak0dat00003',
  'd-bp1soak0dat00004',
  'd-bp1soak0dat00005',
];
const SYSTEM_DISK = 'd-bp1soak0sys00001';
const KEEP_LAST: Record<string, number> = { every: 3, system: 2, pair: 4, grouped: 2, single: 3 };
// Policies over overlapping disks, so triggers join runs in flight as well as start their own.
const POLICIES = {
  every: { disks: 'all', retention: { keepLast: 3, failedGrace: '1m' } },
  system: { disks: 'system', retention: { keepLast: 2, failedGrace: '1m' } },
  pair: { disks: DATA_DISKS.slice(0, 2), retention: { keepLast: 4, failedGrace: '1m' } },
  grouped: {
    disks: DATA_DISKS.slice(2),
    consistency: 'group',
    retention: { keepLast: 2, failedGrace: '1m' },
  },
  single: { disks: [DATA_DISKS[4]], retention: { keepLast: 3, failedGrace: '1m' } },
};
const SCENARIO = {
  disks: [
    { diskId: SYSTEM_DISK, type: 'system' as const },
    ...DATA_DISKS.map((diskId) => ({ diskId })),
  ],
  snapshots: [
    { diskId: DATA_DISKS[0] as string, name: 'console-made', createdAgo: '3d' },
    { diskId: SYSTEM_DISK, name: 'golden-image', createdAgo: '40d', usage: 'image' as const },
  ],
  settings: { snapshotDuration: '50ms' },
};
// Run records the state folder may hold: the history limit and the runs in flight.
const STATE_FILE_LIMIT = 520;

/**
 * Returns V8's garbage collector as a function. Node exposes it only with --expose-gc, which
 * vitest's workers lack. Setting the flag at run time and reading `gc` from a new context works
 * as well, so heap samples come after a full collection either way.
 */
function exposeGc(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const collectGarbage = exposeGc();

function sample(runs: number, startedAt: number): SoakSample {
  collectGarbage();
  const memory = process.memoryUsage();
  return {
    runs,
    elapsedS: Math.round((Date.now() - startedAt) / 100) / 10,
    rssMb: Math.round(memory.rss / 1e5) / 10,
    heapMb: Math.round(memory.heapUsed / 1e5) / 10,
    fds: readdirSync('/proc/self/fd').length,
  };
}

/**
 * Drives thousands of scheduled runs through the real run engine and retention against an
 * emulator process whose snapshots take 50 ms, with seeded faults, sampling memory and file
 * descriptors and checking every invariant at each checkpoint.
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const folder = await mkdtemp(join(tmpdir(), 'selfsnap-soak-'));
  const stack = await startSoakStack(folder, POLICIES, SCENARIO);
  try {
    return await new Soak(stack, options).run();
  } finally {
    await stack.close();
    if (process.env.SELFSNAP_SOAK_KEEP === undefined)
      await rm(folder, { recursive: true, force: true });
    else options.onProgress?.(`kept ${folder} for inspection`);
  }
}

class Soak {
  private readonly random: SeededRandom;
  private readonly faults: FaultInjector;
  private readonly ledger: RetentionLedger;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly credentials = new Map<
    string,
    { accessKeyId: string; accessKeySecret: string; securityToken: string }
  >();
  private readonly report: SoakReport = {
    runs: 0,
    joinedTriggers: 0,
    statuses: {},
    errors: {},
    faults: {},
    samples: [],
    violations: [],
    durationS: 0,
    checkpoints: 0,
  };
  private foreign: SnapshotView[] = [];
  private logOffset = 0;
  private started = 0;
  private readonly startedAt = Date.now();

  constructor(
    private readonly stack: SoakStack,
    private readonly options: SoakOptions,
  ) {
    this.random = new SeededRandom(options.seed);
    this.faults = new FaultInjector(stack.emulator, this.random, DATA_DISKS);
    this.ledger = new RetentionLedger(stack.emulator.instanceId, KEEP_LAST);
  }

  async run(): Promise<SoakReport> {
    this.foreign = await this.stack.emulator.snapshots();
    await this.collectCredentials();
    this.report.samples.push(sample(0, this.startedAt));
    let nextSample = this.options.sampleEvery;
    let nextCheck = this.options.checkEvery;
    while (this.started < this.options.runs) {
      await this.triggerOne();
      if (this.report.runs >= nextSample) {
        this.report.samples.push(sample(this.report.runs, this.startedAt));
        nextSample += this.options.sampleEvery;
      }
      if (this.report.runs >= nextCheck) {
        await this.checkpoint();
        nextCheck += this.options.checkEvery;
      }
    }
    await Promise.all(this.inFlight.values());
    await this.faults.reattach();
    await this.checkpoint();
    this.report.samples.push(sample(this.report.runs, this.startedAt));
    this.report.faults = Object.fromEntries(this.faults.counts);
    this.report.durationS = Math.round((Date.now() - this.startedAt) / 1000);
    return this.report;
  }

  private async triggerOne(): Promise<void> {
    while (this.inFlight.size >= this.options.concurrency)
      await Promise.race(this.inFlight.values());
    if (this.random.chance(this.options.faultRate)) await this.faults.injectOne();
    const policy = this.random.pick(Object.keys(POLICIES));
    const run = await this.stack.manager.trigger({ policy, trigger: 'schedule' });
    if (this.inFlight.has(run.id)) {
      // The policy's disks are busy; a short pause keeps the loop from spinning on joins.
      this.report.joinedTriggers++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return;
    }
    this.started++;
    const done = this.stack.manager
      .waitFor(run.id, 'accomplished', 120_000)
      .then(async ({ run: ended }) => {
        this.finish(ended);
        this.ledger.observe(await this.stack.emulator.snapshots());
      })
      .finally(() => this.inFlight.delete(run.id));
    this.inFlight.set(run.id, done);
  }

  private finish(run: RunRecord): void {
    this.report.runs++;
    this.report.statuses[run.status] = (this.report.statuses[run.status] ?? 0) + 1;
    if (run.status === 'running')
      this.report.violations.push(`run ${run.id} did not end within 2 minutes`);
    this.ledger.recordRun(run);
    const codes = [run.error, ...run.disks.map((disk) => disk.error)].flatMap((error) =>
      error === undefined ? [] : [error.ecsCode ?? error.code],
    );
    for (const code of codes) this.report.errors[code] = (this.report.errors[code] ?? 0) + 1;
    if (this.report.runs % 500 === 0) this.options.onProgress?.(`${this.report.runs} runs`);
  }

  private async collectCredentials(): Promise<void> {
    const document = await fetchRoleCredentials(this.stack.emulator.imdsUrl);
    this.credentials.set(document.AccessKeyId, {
      accessKeyId: document.AccessKeyId,
      accessKeySecret: document.AccessKeySecret,
      securityToken: document.SecurityToken,
    });
  }

  /** Waits for the runs in flight, then checks every invariant against the emulator's state. */
  private async checkpoint(): Promise<void> {
    await Promise.all(this.inFlight.values());
    await this.collectCredentials();
    const emulator = this.stack.emulator;
    const [listed, requests] = [await emulator.snapshots(), await emulator.requests()];
    const credentials = [...this.credentials.values()];
    const readings = {
      instance: { instanceId: emulator.instanceId },
      control: {
        snapshots: () => listed,
        requests: () => requests,
        issuedCredentials: () => credentials,
      },
    };
    this.report.violations.push(
      ...(await checkInvariants({
        emulator: readings,
        foreign: this.foreign,
        lines: await this.readNewLogLines(),
        stateDir: this.stack.stateDir,
        retentionConfigured: true,
        knownOwnIds: this.ledger.ownIds(),
      })),
      ...this.ledger.check(listed, requests),
    );
    const runFiles = (await readdir(join(this.stack.stateDir, 'runs'))).length;
    if (runFiles > STATE_FILE_LIMIT) this.report.violations.push(`${runFiles} run records kept`);
    await emulator.clearRequests();
    this.report.checkpoints++;
  }

  private async readNewLogLines(): Promise<string[]> {
    const handle = await open(this.stack.logFile, 'r');
    try {
      const { size } = await handle.stat();
      const buffer = Buffer.alloc(size - this.logOffset);
      await handle.read(buffer, 0, buffer.length, this.logOffset);
      // A line still being written is read whole at the next checkpoint.
      const complete = buffer.lastIndexOf('\n') + 1;
      this.logOffset += complete;
      return buffer.subarray(0, complete).toString('utf8').split('\n');
    } finally {
      await handle.close();
    }
  }
}
