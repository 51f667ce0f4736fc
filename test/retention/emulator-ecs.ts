import { EcsClient } from '../../src/cloud/index.js';
import { createRamRoleCredentials } from '../../src/credentials/index.js';
import { MetadataClient } from '../../src/metadata/index.js';
import type { Emulator } from '../emulator/index.js';

/**
 * Creates selfsnap's own ECS client for an emulator, with the RAM-role credentials it serves and
 * without retries, so that each injected fault reaches the caller at once.
 */
export function connectEcs(emulator: Emulator): EcsClient {
  const metadata = new MetadataClient({
    endpoint: emulator.imdsUrl,
    tokenTtlSeconds: 21_600,
    allowTokenless: false,
    timeoutMs: 2000,
    retries: 0,
  });
  const credentials = createRamRoleCredentials(
    { metadataEndpoint: emulator.imdsUrl, allowTokenless: false, timeoutMs: 2000 },
    metadata,
  );
  return new EcsClient({
    regionId: emulator.instance.regionId,
    endpoint: emulator.ecsEndpoint,
    protocol: 'http',
    timeoutMs: 5000,
    credentials,
    retry: { transientAttempts: 1, throttledRetries: 0, processingRetries: 0 },
  });
}
