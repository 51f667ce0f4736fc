/**
 * Baseline of P1 and P2: the script an operator would write with the documented SDK, creating one
 * snapshot per disk with `@alicloud/ecs20140526`, one call after the other. It gets the disk ids
 * and STS credentials from SELFSNAP_BENCH_BASELINE (JSON), so it makes no other call.
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
  }),
);

const stamp = Date.now();
for (const diskId of input.diskIds) {
  const request = new EcsSdk.CreateSnapshotRequest({
    diskId,
    snapshotName: `baseline-${stamp}`,
    clientToken: `baseline-${stamp}-${diskId}`,
  });
  await client.createSnapshot(request);
}
// Exit at once: the SDK's keep-alive sockets would hold the process open for seconds.
process.exit(0);
