import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Emulator } from '../../test/emulator/index.js';
import { startLatencyEmulator } from '../support/bench-emulator.js';
import { DaemonProcess, type FastClockSettings } from '../support/daemon-process.js';
import { IdleServer } from '../support/idle-server.js';
import {
  probeSocket,
  readCpuMs,
  readMemoryRollup,
  readRssKiB,
  waitFor,
  type MemoryRollup,
} from '../support/proc.js';
import type { BenchOptions, FigureResult, FigureRow } from '../support/report.js';
import { formatMiB, formatMs, formatRatio, median } from '../support/stats.js';

// February 29th on a Thursday: it matches in 2024 and next in 2052, so a clock started on
// 2024-03-01 sees more than 10,000 days without a run.
const RARE_SCHEDULE = '0 0 0 29 2 4';
const JUMP_START_MS = Date.UTC(2024, 2, 1, 0, 0, 30);
const TICKS = 10_000;
// V8's memory reducer shrinks the heap in the first 20-30 s after start-up activity.
const SETTLE_MS = 30_000;
const RSS_LIMIT_KIB = 60 * 1024;
// "No growth": the second half of the ticks adds at most this much RSS, under 420 bytes a tick.
// The first ticks warm up code and heap: in three steps of 3,000 ticks RSS grew by 1.3, 0.6 and
// 0 MiB, and a reading 30 s after a jump still varies by about a mebibyte.
const GROWTH_LIMIT_KIB = 2 * 1024;
const CPU_LIMIT_MS_PER_HOUR = 200;
const READY_LIMIT_MS = 400;

interface TickStats {
  heartbeats: number;
  timersFired: number;
  emulatedMs: number;
  realMs: number;
  cpuMs: number;
}

/** P4: an idle daemon's start-up time, memory, memory after idle cron ticks, and idle CPU. */
export async function measureIdleDaemon(options: BenchOptions): Promise<FigureResult> {
  const starts = options.full ? 9 : 3;
  const idleMinutes = options.full ? 10 : 1;
  const emulator = await startLatencyEmulator(3, 0);
  const policies = { rare: { schedule: RARE_SCHEDULE, timezone: 'UTC', disks: 'all' } };
  const start = async (name: string, clock?: FastClockSettings) => {
    const folder = join(options.workDir, name);
    await mkdir(folder, { recursive: true });
    return DaemonProcess.start({ folder, emulator, policies, clock });
  };
  try {
    options.log(`P4: ${starts} starts`);
    const ready = await measureReady(starts, start, options.workDir);
    options.log(`P4: ${idleMinutes} min idle and ${TICKS} cron ticks`);
    const statsFile = join(options.workDir, 'ticks.json');
    const ticking = await start('ticks', {
      startMs: JUMP_START_MS,
      speed: 1,
      jump: { heartbeats: TICKS / 2, statsFile },
    });
    const idle = await measureIdle(idleMinutes, await start('idle'), ticking, options.workDir);
    const ticks = await readTicks(emulator, ticking, statsFile);
    return summarize({ ready, idle, ticks, idleMinutes, starts });
  } finally {
    await emulator.close();
  }
}

async function measureReady(
  starts: number,
  start: (name: string) => Promise<DaemonProcess>,
  folder: string,
): Promise<{ daemon: number[]; server: number[] }> {
  const daemon: number[] = [];
  const server: number[] = [];
  // The first start of each warms up the page cache and is not counted.
  for (let index = 0; index <= starts; index++) {
    const running = await start(`ready-${index}`);
    await running.stop();
    const baseline = await IdleServer.start(folder);
    await baseline.stop();
    if (index === 0) continue;
    daemon.push(running.readyMs);
    server.push(baseline.readyMs);
  }
  return { daemon, server };
}

/**
 * Lets the daemon, the baseline server and the ticking daemon settle, then measures memory and
 * the CPU of `minutes` of idling. The ticking daemon gets SIGUSR2 at the start of that window and
 * again halfway, and its memory is read before, halfway and at the end, so that each reading
 * comes half the window after its jump.
 */
async function measureIdle(
  minutes: number,
  daemon: DaemonProcess,
  ticking: DaemonProcess,
  folder: string,
) {
  const server = await IdleServer.start(folder);
  try {
    await Promise.all([daemon.waitUntilConnected(), ticking.waitUntilConnected()]);
    const settling = { daemon: readCpuMs(daemon.pid), server: readCpuMs(server.pid) };
    await sleep(SETTLE_MS);
    const memory = { daemon: readMemoryRollup(daemon.pid), server: readMemoryRollup(server.pid) };
    const tickingRss = [readRssKiB(ticking.pid)];
    const before = { daemon: readCpuMs(daemon.pid), server: readCpuMs(server.pid) };
    ticking.signal('SIGUSR2');
    await sleep(minutes * 30_000);
    tickingRss.push(readRssKiB(ticking.pid));
    ticking.signal('SIGUSR2');
    await sleep(minutes * 30_000);
    tickingRss.push(readRssKiB(ticking.pid));

    const perHour = (used: number) => (used * 60) / minutes;
    const cpuPerHour = {
      daemon: perHour(readCpuMs(daemon.pid) - before.daemon),
      server: perHour(readCpuMs(server.pid) - before.server),
    };
    const afterRun = await measureAfterRun(daemon);
    return {
      memory,
      afterRun,
      tickingRss,
      settlingCpu: {
        daemon: before.daemon - settling.daemon,
        server: before.server - settling.server,
      },
      cpuPerHour,
    };
  } finally {
    await daemon.stop();
    await server.stop();
  }
}

/**
 * Runs the policy once, waits until the run is accomplished, scrapes `/metrics` once, and reads
 * the memory after the same settling time as at start. By then the daemon has imported the cloud
 * SDK (on its first ECS call) and prom-client (on the first scrape), and both stay loaded.
 */
async function measureAfterRun(daemon: DaemonProcess) {
  const run = await daemon.call<{ run?: { status: string } }>('POST', '/v1/runs', {
    policy: 'rare',
    wait: 'accomplished',
    timeoutMs: 60_000,
  });
  const scrapeStatus = await probeSocket(daemon.socketPath, '/metrics');
  await sleep(SETTLE_MS);
  return { memory: readMemoryRollup(daemon.pid), status: run.run?.status, scrapeStatus };
}

/** Reads what the jumping clock reported and what the daemon and the emulator saw, then stops it. */
async function readTicks(emulator: Emulator, daemon: DaemonProcess, statsFile: string) {
  try {
    const lines = await waitFor(
      async () => {
        const text = existsSync(statsFile) ? await readFile(statsFile, 'utf8') : '';
        const found = text.split('\n').filter((line) => line !== '');
        return found.length === 2 ? found : undefined;
      },
      120_000,
      'both jumps of the clock',
      50,
    );
    const jumps = lines.map((line) => JSON.parse(line) as TickStats);
    const stats = {
      heartbeats: jumps.reduce((sum, jump) => sum + jump.heartbeats, 0),
      timersFired: jumps.reduce((sum, jump) => sum + jump.timersFired, 0),
      emulatedMs: jumps.reduce((sum, jump) => sum + jump.emulatedMs, 0),
      realMs: jumps.reduce((sum, jump) => sum + jump.realMs, 0),
      cpuMs: jumps.reduce((sum, jump) => sum + jump.cpuMs, 0),
    };
    const status = await daemon.call<{ uptimeSeconds: number; policies: { nextRunAt: string }[] }>(
      'GET',
      '/v1/status',
    );
    const runs = emulator.control.requests({ action: 'CreateSnapshot' }).length;
    return { stats, status, runs };
  } finally {
    await daemon.stop();
  }
}

function summarize(measured: {
  ready: { daemon: number[]; server: number[] };
  idle: Awaited<ReturnType<typeof measureIdle>>;
  ticks: Awaited<ReturnType<typeof readTicks>>;
  idleMinutes: number;
  starts: number;
}): FigureResult {
  const { ready, idle } = measured;
  const rss = { daemon: idle.memory.daemon.rss, server: idle.memory.server.rss };
  const readyMs = median(ready.daemon);
  const serverReadyMs = median(ready.server);
  const [rssBefore = 0, rssHalfway = 0, rssAfter = 0] = idle.tickingRss;
  const growth = rssAfter - rssHalfway;
  const signed = (kib: number) => `${kib >= 0 ? '+' : ''}${formatMiB(kib)}`;
  const rows: FigureRow[] = [
    {
      id: 'P4',
      figure: 'idle daemon RSS after start',
      median: formatMiB(rss.daemon),
      baseline: `node -e http server ${formatMiB(rss.server)}`,
      ratio: formatRatio(rss.daemon / rss.server),
      target: `<= ${formatMiB(RSS_LIMIT_KIB)}`,
      met: rss.daemon <= RSS_LIMIT_KIB,
    },
    {
      id: 'P4',
      figure: 'RSS after one run and one /metrics scrape',
      median: formatMiB(idle.afterRun.memory.rss),
      baseline: `idle daemon ${formatMiB(rss.daemon)}`,
      ratio: formatRatio(idle.afterRun.memory.rss / rss.daemon),
      target: `<= ${formatMiB(RSS_LIMIT_KIB)}`,
      met: idle.afterRun.memory.rss <= RSS_LIMIT_KIB,
    },
    {
      id: 'P4',
      figure: `RSS after ${TICKS.toLocaleString('en')} idle cron ticks`,
      median: `${formatMiB(rssAfter)} (${signed(growth)} over the last ${TICKS / 2})`,
      baseline: `before the ticks ${formatMiB(rssBefore)} (${signed(rssAfter - rssBefore)})`,
      ratio: formatRatio(rssAfter / rssBefore),
      target: `<= ${formatMiB(RSS_LIMIT_KIB)}, no growth over the last ${TICKS / 2}`,
      met: rssAfter <= RSS_LIMIT_KIB && growth <= GROWTH_LIMIT_KIB,
    },
    {
      id: 'P4',
      figure: 'CPU per idle hour',
      median: `${(idle.cpuPerHour.daemon / 1000).toFixed(3)} s`,
      baseline: `node -e http server ${(idle.cpuPerHour.server / 1000).toFixed(3)} s`,
      ratio: formatRatio(idle.cpuPerHour.daemon / Math.max(idle.cpuPerHour.server, 0.001)),
      target: `<= ${(CPU_LIMIT_MS_PER_HOUR / 1000).toFixed(1)} s`,
      met: idle.cpuPerHour.daemon <= CPU_LIMIT_MS_PER_HOUR,
    },
    {
      id: 'P4',
      figure: 'start to socket ready',
      median: formatMs(readyMs),
      baseline: `node -e http server ${formatMs(serverReadyMs)}`,
      ratio: formatRatio(readyMs / serverReadyMs),
      target: `<= ${READY_LIMIT_MS} ms`,
      met: readyMs <= READY_LIMIT_MS,
    },
  ];
  return { rows, notes: describeMethod(measured) };
}

function describeMemory(memory: MemoryRollup): string {
  return `PSS ${formatMiB(memory.pss)}, of RSS ${formatMiB(memory.sharedClean)} shared file-backed pages and ${formatMiB(memory.anonymous)} private anonymous memory`;
}

function describeMethod(measured: Parameters<typeof summarize>[0]): string[] {
  const { idle, ticks, idleMinutes, starts } = measured;
  const days = ticks.stats.emulatedMs / 86_400_000;
  const settle = SETTLE_MS / 1000;
  return [
    `Every daemon is \`node dist/cli.js daemon\` against the in-process emulator (3 disks) with one policy whose schedule \`${RARE_SCHEDULE}\` (February 29th on a Thursday) does not fire during the measurement, so the daemon stays idle: socket open, instance identified, node-cron armed. The baseline is \`node -e\` with Node's http server on a unix socket.`,
    `Start to socket ready: from spawn until \`GET /v1/status\` on the socket answers (the baseline: until its socket answers), median of ${starts} starts after one warm-up start each.`,
    `Memory is read ${settle} s after the daemon identified the instance: in the first seconds V8's memory reducer collects garbage and shrinks the heap, which cost the daemon ${formatMs(idle.settlingCpu.daemon)} of CPU in those ${settle} s (baseline ${formatMs(idle.settlingCpu.server)}). Daemon: ${describeMemory(idle.memory.daemon)}. Baseline: ${describeMemory(idle.memory.server)}.`,
    `After the idle window the daemon runs its policy once (\`POST /v1/runs\`, wait \`accomplished\`: ${idle.afterRun.status ?? 'no run'}), answers one \`GET /metrics\` (HTTP ${idle.afterRun.scrapeStatus ?? 'no response'}), and its memory is read ${settle} s later: ${describeMemory(idle.afterRun.memory)}. The daemon imports the cloud SDK on its first ECS call and prom-client on the first scrape, and keeps both, so this is its memory for the rest of its life.`,
    `CPU is the sum of the threads' schedstat counters over the ${idleMinutes} min after that, multiplied by ${60 / idleMinutes} to give an hour; the baseline was measured over the same minutes.`,
    `Idle cron ticks: node-cron 4 sleeps until the next slot but at most 24 h, so an idle daemon wakes once an emulated day. A second daemon runs with bench/support/fast-clock.mjs (its Date and timers only; sockets keep real time) starting on 2024-03-01; on SIGUSR2 its clock jumps from one due timer to the next as soon as the process is idle. It fired ${ticks.stats.heartbeats} heartbeats (${ticks.stats.timersFired} timers in all) over ${days.toFixed(0)} emulated days in ${formatMs(ticks.stats.realMs)} real time and ${formatMs(ticks.stats.cpuMs)} CPU, in two jumps of ${TICKS / 2} heartbeats each, then ran on at real speed. Its RSS was read before the first jump, before the second and at the end of the idle window (${formatMiB(idle.tickingRss[0] ?? 0)}, ${formatMiB(idle.tickingRss[1] ?? 0)}, ${formatMiB(idle.tickingRss[2] ?? 0)}): growth that stops after the first jump is warm-up, growth that goes on is a leak. Afterwards \`GET /v1/status\` reported an uptime of ${(ticks.status.uptimeSeconds / 86_400).toFixed(0)} days and the next run at ${ticks.status.policies[0]?.nextRunAt}; the emulator saw ${ticks.runs} CreateSnapshot calls.`,
  ];
}
