export { systemClock } from './clock.js';
export type { Clock } from './clock.js';
export type { ApiCallRecord, CallOptions } from './ecs-api-caller.js';
export { EcsClient, SNAPSHOT_IDS_PER_CALL } from './ecs-client.js';
export type { EcsClientOptions } from './ecs-client.js';
export { isDiskScopedError, toEcsError } from './ecs-error.js';
export type {
  CreateSnapshotGroupInput,
  CreateSnapshotInput,
  Disk,
  Snapshot,
  SnapshotFilter,
  SnapshotGroup,
  SnapshotGroupFilter,
  SnapshotGroupMember,
  SnapshotStatus,
} from './ecs-types.js';
export { DEFAULT_RETRY_POLICY, retryDelayMs, retryKindOf } from './retry-policy.js';
export type { RetryKind, RetryPolicy } from './retry-policy.js';
