export { StatusServer } from './status-server.js';
export type { StatusServerOptions } from './status-server.js';
export { callDaemon, DEFAULT_SOCKET_PATH } from './socket-client.js';
export { parseTriggerBody } from './parse-trigger-body.js';
export type { SocketApi, TriggerAnswer, TriggerBody } from './socket-api.js';
