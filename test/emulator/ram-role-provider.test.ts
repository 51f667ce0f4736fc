import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect } from 'vitest';

import { canCreateNamespaces, METADATA_ADDRESS, NetworkNamespace } from '../support/netns.js';
import { realSystemIt } from '../support/require-real-system.js';
import { waitForLine } from '../support/wait.js';

const MAIN = join(import.meta.dirname, 'main.ts');
const ECS_PORT = 18082;

/**
 * Reads credentials with the SDK's own ecs_ram_role provider, which always dials
 * 100.100.100.200:80, and signs one DescribeDisks call with them.
 */
const PROVIDER_SCRIPT = `
const credentials = require('@alicloud/credentials');
const Ecs = require('@alicloud/ecs20140526');
const { $OpenApiUtil } = require('@alicloud/openapi-core');
(async () => {
  const provider = credentials.ECSRAMRoleCredentialsProvider.builder().withDisableIMDSv1(true).build();
  const client = new Ecs.default(new $OpenApiUtil.Config({
    credential: new credentials.default(null, provider),
    endpoint: '127.0.0.1:${ECS_PORT}',
    protocol: 'http',
  }));
  const response = await client.describeDisks(new Ecs.DescribeDisksRequest({ regionId: 'cn-hangzhou' }));
  const model = await provider.getCredentials();
  console.log(JSON.stringify({ disks: response.body.disks.disk.length, providerName: model.providerName }));
})().catch((error) => { console.error(error.code ?? error.message); process.exit(1); });
`;

const support = await canCreateNamespaces();
const realIt = realSystemIt(support.ok ? undefined : support.reason);

describe('emulator with the SDK RAM-role provider', () => {
  let namespace: NetworkNamespace | undefined;
  let emulator: ReturnType<NetworkNamespace['spawn']> | undefined;

  beforeAll(async () => {
    if (!support.ok) return;
    namespace = await NetworkNamespace.create();
    emulator = namespace.spawn(process.execPath, [
      '--import',
      'tsx',
      MAIN,
      '--imds',
      `${METADATA_ADDRESS}:80`,
      '--ecs',
      `127.0.0.1:${ECS_PORT}`,
    ]);
    await waitForLine(emulator, /ready/, 15_000);
  });

  afterAll(async () => {
    emulator?.kill('SIGTERM');
    await namespace?.delete();
  });

  realIt('serves credentials the ecs_ram_role provider accepts at 100.100.100.200', async () => {
    const { stdout } = await (namespace as NetworkNamespace).exec(process.execPath, [
      '-e',
      PROVIDER_SCRIPT,
    ]);

    expect(JSON.parse(stdout)).toEqual({ disks: 3, providerName: 'ecs_ram_role' });
  });
});
