import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulator, type Emulator, type Scenario } from '../../test/emulator/index.js';
import type { FastClockSettings } from './daemon-process.js';

/** Builds `count` ESSD disk entries for a scenario: the first a system disk, the rest data. */
export function benchDisks(
  count: number,
  prefix = 'd-bp1bench',
  instanceId?: string,
): NonNullable<Scenario['disks']> {
  return Array.from({ length: count }, (_, index) => ({
    diskId: `${prefix}${String(index).padStart(6, '0')}`,
    type: index === 0 ? ('system' as const) : ('data' as const),
    category: 'cloud_essd',
    size: 40,
    ...(instanceId === undefined ? {} : { instanceId }),
  }));
}

/**
 * Starts an in-process emulator with `diskCount` disks whose every ECS call waits `latencyMs`
 * of real time, the injected network and API latency of the figures.
 */
export async function startLatencyEmulator(
  diskCount: number,
  latencyMs: number,
  settings: NonNullable<Scenario['settings']> = {},
): Promise<Emulator> {
  return startEmulator({
    scenario: {
      disks: benchDisks(diskCount),
      settings: { snapshotDuration: '1s', ...settings },
      faults: latencyMs > 0 ? { latencies: [{ action: '*', latencyMs }] } : {},
    },
  });
}

/** Builds the JSON input of a baseline script: endpoint, STS credentials, disk ids and extras. */
export function baselineInput(
  emulator: Emulator,
  diskIds: readonly string[],
  extra: Record<string, unknown> = {},
): string {
  const credentials = emulator.control.credentials();
  return JSON.stringify({
    endpoint: emulator.ecsEndpoint,
    regionId: emulator.instance.regionId,
    accessKeyId: credentials.accessKeyId,
    accessKeySecret: credentials.accessKeySecret,
    securityToken: credentials.securityToken,
    diskIds,
    ...extra,
  });
}

/** Clock settings for fast-clock.mjs that give a subprocess the emulator's time and speed. */
export function alignedClock(emulator: Emulator): FastClockSettings {
  const reading = emulator.control.clock();
  return { startMs: Date.parse(reading.now), anchorRealMs: Date.now(), speed: reading.speed };
}

/**
 * Starts a loopback HTTP server that responds to every request after `latencyMs`: one API round
 * trip with nothing else in it, for the floor of P1.
 */
export async function startDelayServer(
  latencyMs: number,
): Promise<{ port: number; close: () => Promise<void> }> {
  const server: Server = createServer((request, response) => {
    request.resume();
    setTimeout(() => response.end('{}'), latencyMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
