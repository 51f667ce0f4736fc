export { DEFAULT_CONFIG_PATH, loadConfig, parseConfig } from './load-config.js';
export { formatDuration, parseDuration } from './duration.js';
export { POLICY_NAME_PATTERN } from './config-schema.js';
export type { DiskSelection, PolicyConfig, SelfsnapConfig, WaitMode } from './config-schema.js';
