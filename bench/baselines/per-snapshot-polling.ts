/**
 * Baseline of P3: creates one snapshot per disk with the documented SDK, then polls each snapshot
 * in progress with its own DescribeSnapshots call, on selfsnap's poll schedule (first after
 * `initialMs`, each wait half again as long, at most `maxMs`). It gets the disk ids, the schedule
 * and STS credentials from SELFSNAP_BENCH_BASELINE (JSON); the benchmark runs it on the
 * emulator's clock through fast-clock.mjs.
 */
import EcsModule, * as EcsSdk from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';

interface BaselineInput {
  endpoint: string;
  regionId: string;
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
  diskIds: string[];
  initialMs: number;
  maxMs: number;
}

const input = JSON.parse(process.env.SELFSNAP_BENCH_BASELINE ?? '{}') as BaselineInput;
const client = new EcsModule.default(
  new $OpenApiUtil.Config({
    accessKeyId: input.accessKeyId,
    accessKeySecret: input.accessKeySecret,
    securityToken: input.securityToken,
    endpoint: input.endpoint,
    protocol: 'http',
    regionId: input.regionId,
    // The SDK's timeouts are timers on the emulated clock, which runs 60 times faster, so its
    // 3 s read timeout would end after 50 ms of real time. The daemon gets 120 s for the same reason.
    connectTimeout: 120_000,
    readTimeout: 120_000,
  }),
);

const stamp = Date.now();
let waiting = await Promise.all(
  input.diskIds.map(async (diskId) => {
    const request = new EcsSdk.CreateSnapshotRequest({
      diskId,
      snapshotName: `baseline-${stamp}`,
      clientToken: `baseline-${stamp}-${diskId}`,
    });
    return (await client.createSnapshot(request)).body?.snapshotId as string;
  }),
);

let intervalMs = input.initialMs;
while (waiting.length > 0) {
  await new Promise((resolve) => setTimeout(resolve, intervalMs));
  intervalMs = Math.min(input.maxMs, Math.round(intervalMs * 1.5));
  const statuses = await Promise.all(
    waiting.map(async (snapshotId) => {
      const request = new EcsSdk.DescribeSnapshotsRequest({
        regionId: input.regionId,
        snapshotIds: JSON.stringify([snapshotId]),
      });
      const response = await client.describeSnapshots(request);
      return response.body?.snapshots?.snapshot?.[0]?.status;
    }),
  );
  waiting = waiting.filter((_, index) => statuses[index] === 'progressing');
}
process.exit(0);
