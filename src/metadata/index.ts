export { DEFAULT_METADATA_ENDPOINT, MetadataClient } from './metadata-client.js';
export type { MetadataClientOptions, MetadataStep } from './metadata-client.js';
export { discoverIdentity } from './instance-identity.js';
export type { InstanceIdentity } from './instance-identity.js';
