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

const EXIT_BY_CODE: Partial<Record<ErrorCode, number>> = {
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
};

/** Maps an error code to the exit code the CLI ends with. */
export function exitCodeFor(code: ErrorCode): number {
  return EXIT_BY_CODE[code] ?? EXIT.failed;
}
