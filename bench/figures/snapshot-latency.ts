import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  baselineInput,
  startDelayServer,
  startLatencyEmulator,
} from '../support/bench-emulator.js';
import { bundleScript } from '../support/bundle.js';
import { CLI_PATH, DaemonProcess } from '../support/daemon-process.js';
import { runChecked } from '../support/proc.js';
import type { BenchOptions, FigureResult, FigureRow } from '../support/report.js';
import { formatMs, formatRatio, median, sample } from '../support/stats.js';

const LATENCY_MS = 50;
const DISK_COUNTS = [1, 8, 32, 64];
// "Flat in disk count": 64 disks take at most this much longer than one.
const FLAT_LIMIT = 1.25;

interface CountSamples {
  count: number;
  cli: number[];
  /** Run start to accepted, as the daemon recorded it. */
  daemonRun: number[];
  sequential: number[];
  /** A `node -e` client posting the same trigger to the socket (32 disks only). */
  socketClient: number[];
}

/** P1: `selfsnap snapshot --wait accepted` against a running daemon, by disk count. */
export async function measureSnapshotLatency(options: BenchOptions): Promise<FigureResult> {
  const reps = options.full ? 9 : 4;
  const baselineScript = await bundleScript(
    resolve(import.meta.dirname, '../baselines/sequential-create.ts'),
  );
  const floor = await measureFloor(reps);
  const cliStart = await sample(reps, async () => {
    return (await runChecked(process.execPath, [CLI_PATH, '--version'])).wallMs;
  });
  const cliHelp = await sample(reps, async () => {
    return (await runChecked(process.execPath, [CLI_PATH, 'snapshot', '--help'])).wallMs;
  });
  const byCount: CountSamples[] = [];
  for (const count of DISK_COUNTS) {
    options.log(`P1: ${count} disk${count === 1 ? '' : 's'}`);
    byCount.push(await measureCount(count, reps, baselineScript, options));
  }
  return summarize(byCount, { floor, cliStart, cliHelp }, reps);
}

/** Measures the floor: `node -e` starting and making one request with the injected latency. */
async function measureFloor(reps: number): Promise<number[]> {
  const server = await startDelayServer(LATENCY_MS);
  const script =
    `require('http').request({host:'127.0.0.1',port:${server.port},method:'POST',path:'/'},` +
    `(r)=>{r.resume();r.on('end',()=>process.exit(0))}).end()`;
  try {
    await runChecked(process.execPath, ['-e', script]);
    return await sample(
      reps,
      async () => (await runChecked(process.execPath, ['-e', script])).wallMs,
    );
  } finally {
    await server.close();
  }
}

async function measureCount(
  count: number,
  reps: number,
  baselineScript: string,
  options: BenchOptions,
): Promise<CountSamples> {
  const emulator = await startLatencyEmulator(count, LATENCY_MS);
  const folder = join(options.workDir, `p1-${count}`);
  await mkdir(folder, { recursive: true });
  const daemon = await DaemonProcess.start({
    folder,
    emulator,
    policies: { bench: { disks: 'all' } },
  });
  try {
    await daemon.waitUntilConnected();
    const diskIds = emulator.control.disks().map((disk) => disk.diskId);
    const env = { ...process.env, SELFSNAP_BENCH_BASELINE: baselineInput(emulator, diskIds) };
    const runBaseline = async () =>
      (await runChecked(process.execPath, [baselineScript], { env })).wallMs;
    // Warm-up of both: page cache, the daemon's JIT and its connection pool.
    await runSnapshotCommand(daemon);
    await runBaseline();
    await daemon.waitUntilIdle();

    const cli: number[] = [];
    const daemonRun: number[] = [];
    const sequential: number[] = [];
    for (let rep = 0; rep < reps; rep++) {
      const { wallMs, runMs } = await runSnapshotCommand(daemon);
      cli.push(wallMs);
      daemonRun.push(runMs);
      // The baseline runs while the daemon's run waits for its snapshots, which saves the wait;
      // that run makes one DescribeSnapshots call every few seconds meanwhile.
      sequential.push(await runBaseline());
      await daemon.waitUntilIdle();
    }
    const socketClient: number[] = [];
    for (let rep = 0; count === 32 && rep < Math.min(reps, 3); rep++) {
      socketClient.push(await runSocketClient(daemon));
      await daemon.waitUntilIdle();
    }
    return { count, cli, daemonRun, sequential, socketClient };
  } finally {
    await daemon.stop();
    await emulator.close();
  }
}

// The least a client can do: start Node, POST the trigger to the socket, exit on the response.
const SOCKET_CLIENT_SCRIPT =
  "const b=JSON.stringify({reason:'benchmark',wait:'accepted',timeoutMs:60000});" +
  "require('http').request({socketPath:process.argv[1],method:'POST',path:'/v1/runs'," +
  "headers:{'content-type':'application/json'}}," +
  '(r)=>{r.resume();r.on("end",()=>process.exit(r.statusCode<300?0:1))}).end(b)';

/** Triggers a run with a `node -e` socket client instead of the CLI; returns its wall time. */
async function runSocketClient(daemon: DaemonProcess): Promise<number> {
  const args = ['-e', SOCKET_CLIENT_SCRIPT, daemon.socketPath];
  return (await runChecked(process.execPath, args)).wallMs;
}

/** Runs the CLI once and reads how long the run took in the daemon. */
async function runSnapshotCommand(daemon: DaemonProcess) {
  const args = [CLI_PATH, 'snapshot', '--socket', daemon.socketPath, '--wait', 'accepted'];
  const { wallMs } = await runChecked(process.execPath, [...args, '--reason', 'benchmark']);
  const { runs } = await daemon.call<{ runs: { startedAt: string; acceptedAt?: string }[] }>(
    'GET',
    '/v1/runs?limit=1',
  );
  const run = runs[0];
  if (run?.acceptedAt === undefined) throw new Error('the last run has no acceptedAt');
  return { wallMs, runMs: Date.parse(run.acceptedAt) - Date.parse(run.startedAt) };
}

function summarize(
  byCount: CountSamples[],
  starts: { floor: number[]; cliStart: number[]; cliHelp: number[] },
  reps: number,
): FigureResult {
  const floor = median(starts.floor);
  const rows: FigureRow[] = byCount.map(({ count, cli, sequential }) => {
    const ratio = median(sequential) / median(cli);
    return {
      id: 'P1',
      figure: `snapshot --wait accepted, ${count} disk${count === 1 ? '' : 's'}`,
      median: formatMs(median(cli)),
      baseline: `sequential SDK ${formatMs(median(sequential))}`,
      ratio: `${formatRatio(ratio)} faster`,
      target: count === 32 ? '>= x10 faster' : '-',
      met: count === 32 ? ratio >= 10 : undefined,
    };
  });
  const at = (count: number) => byCount.find((entry) => entry.count === count) as CountSamples;
  const flatness = median(at(64).cli) / median(at(1).cli);
  const overFloor = median(at(32).cli) / floor;
  rows.push(
    {
      id: 'P1',
      figure: 'flat in disk count: 64 disks over 1 disk',
      median: formatRatio(flatness),
      baseline: '-',
      ratio: formatRatio(flatness),
      target: `<= ${formatRatio(FLAT_LIMIT)}`,
      met: flatness <= FLAT_LIMIT,
    },
    {
      id: 'P1',
      figure: '32 disks against the floor',
      median: formatMs(median(at(32).cli)),
      baseline: `node -e + 1 round trip ${formatMs(floor)}`,
      ratio: formatRatio(overFloor),
      target: '<= x1.30',
      met: overFloor <= 1.3,
    },
  );
  const breakdown = byCount
    .map(({ count, cli, daemonRun }) => {
      const run = median(daemonRun);
      return `${count} disk${count === 1 ? '' : 's'}: ${formatMs(run)} in the daemon, ${formatMs(median(cli) - run)} in the CLI process and the socket`;
    })
    .join('; ');
  return {
    rows,
    notes: [
      `Each command is \`node dist/cli.js snapshot --socket S --wait accepted\` run as a subprocess against a \`selfsnap daemon\` subprocess; the in-process emulator adds ${LATENCY_MS} ms of real time to every ECS call. Median of ${reps} runs after one warm-up. The runner waits for each run to finish before the next, so none joins a run in flight, and runs one baseline meanwhile.`,
      `Sequential baseline: bench/baselines/sequential-create.ts, one CreateSnapshot after the other with \`@alicloud/ecs20140526\` (disk ids and STS credentials given, no DescribeDisks), wall time of the whole process, SDK loading included.`,
      `Floor: \`node -e\` making one HTTP request to a loopback server that answers after ${LATENCY_MS} ms: ${formatMs(floor)}.`,
      `Where the time goes (medians, from the run record's startedAt and acceptedAt): ${breakdown}. \`node dist/cli.js --version\` alone takes ${formatMs(median(starts.cliStart))}, and \`node dist/cli.js snapshot --help\`, which loads yargs and every command module, ${formatMs(median(starts.cliHelp))}; \`snapshot\` itself loads neither. A \`node -e\` client that posts the same trigger to the socket and exits on the response took ${formatMs(median(at(32).socketClient))} at 32 disks (median of ${at(32).socketClient.length}), ${formatRatio(median(at(32).socketClient) / floor)} the floor.`,
    ],
  };
}
