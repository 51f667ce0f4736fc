export { StatusServer } from './status-server.js';
export type { SocketLimits, StatusServerOptions } from './status-server.js';
export { callDaemon, DEFAULT_SOCKET_PATH } from './socket-client.js';
export { parseTriggerBody } from './parse-trigger-body.js';
export { toRunView } from './run-view.js';
export type { RunView } from './run-view.js';
export { toSnapshotView } from './snapshot-view.js';
export type { SnapshotView } from './snapshot-view.js';
export { DEFAULT_WAIT_TIMEOUT_MS } from './socket-api.js';
export type {
  RetentionApi,
  RunFilter,
  SocketApi,
  TriggerAnswer,
  TriggerBody,
} from './socket-api.js';
export type { RunEvent } from './stream-run.js';
