export { EcsClient, SNAPSHOT_IDS_PER_CALL } from './ecs-client.js';
export type { EcsClientOptions } from './ecs-client.js';
export { toEcsError } from './ecs-error.js';
export type {
  CreateSnapshotInput,
  Disk,
  Snapshot,
  SnapshotFilter,
  SnapshotStatus,
} from './ecs-types.js';
