import type { ErrorCode } from '../errors/index.js';

/** The CLI's documented exit codes; the README lists the same table. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  daemonUnreachable: 3,
  permissionDenied: 4,
  cloudError: 5,
  timeout: 6,
  partial: 7,
  notReady: 8,
  notFound: 9,
  // EX_CONFIG from sysexits.h; the unit's RestartPreventExitStatus names it too.
  config: 78,
} as const;

// A full record, so the compiler makes every new error code choose its exit code.
const EXIT_BY_CODE: Record<ErrorCode, number> = {
  CONFIG_INVALID: EXIT.config,
  CONFIG_NOT_FOUND: EXIT.config,
  DAEMON_UNREACHABLE: EXIT.daemonUnreachable,
  SOCKET_PERMISSION_DENIED: EXIT.permissionDenied,
  NOT_READY: EXIT.notReady,
  TIMEOUT: EXIT.timeout,
  RUN_PARTIAL: EXIT.partial,
  REQUEST_INVALID: EXIT.usage,
  NOT_FOUND: EXIT.notFound,
  METHOD_NOT_ALLOWED: EXIT.usage,
  PAYLOAD_TOO_LARGE: EXIT.usage,
  ECS_REQUEST_FAILED: EXIT.cloudError,
  ECS_THROTTLED: EXIT.cloudError,
  ECS_AUTH_FAILED: EXIT.cloudError,
  ECS_FORBIDDEN: EXIT.cloudError,
  DISK_NOT_FOUND: EXIT.cloudError,
  SNAPSHOT_QUOTA_EXCEEDED: EXIT.cloudError,
  METADATA_UNAVAILABLE: EXIT.cloudError,
  CREDENTIALS_UNAVAILABLE: EXIT.cloudError,
  RUN_FAILED: EXIT.cloudError,
  DISK_STATE_INVALID: EXIT.cloudError,
  // The policy names something selfsnap must not or cannot touch: the operator fixes the config.
  MOUNTPOINT_UNRESOLVED: EXIT.config,
  HOOK_UNSAFE: EXIT.config,
  FREEZE_REFUSED: EXIT.config,
  HOOK_FAILED: EXIT.failed,
  FREEZE_FAILED: EXIT.failed,
  STATE_UNREADABLE: EXIT.failed,
  SOCKET_IN_USE: EXIT.failed,
  INTERNAL: EXIT.failed,
};

/** Maps an error code to the exit code the CLI ends with. */
export function exitCodeFor(code: ErrorCode): number {
  return EXIT_BY_CODE[code];
}
