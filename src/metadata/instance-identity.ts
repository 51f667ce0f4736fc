import type { MetadataClient } from './metadata-client.js';

/** Who this instance is, as the metadata service reports it. */
export interface InstanceIdentity {
  instanceId: string;
  regionId: string;
  zoneId: string;
  hostname: string;
}

/** Looks up the instance id, region, zone and hostname. */
export async function discoverIdentity(metadata: MetadataClient): Promise<InstanceIdentity> {
  const [instanceId, regionId, zoneId, hostname] = await Promise.all([
    metadata.get('instance-id', 'identity'),
    metadata.get('region-id', 'identity'),
    metadata.get('zone-id', 'identity'),
    metadata.get('hostname', 'identity'),
  ]);
  return { instanceId, regionId, zoneId, hostname };
}
