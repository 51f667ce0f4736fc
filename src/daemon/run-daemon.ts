import { loadConfig, type SelfsnapConfig } from '../config/index.js';
import { Daemon } from '../daemon.js';
import { chooseLogFormat, createLogger, type Logger } from '../log/index.js';
import { notifySystemd, type SystemdState } from '../systemd/index.js';

/** Exit code for a config error; the unit does not restart on it (EX_CONFIG from sysexits.h). */
export const EXIT_CONFIG = 78;

/** Command-line overrides of `selfsnap daemon`. */
export interface DaemonOptions {
  /** Socket path instead of `socket.path` (`--socket`). */
  socketPath?: string;
  /** JSON log lines even on a terminal (`--json`). */
  json?: boolean;
}

/** Runs the daemon in the foreground until SIGTERM or SIGINT; resolves to the exit code. */
export async function runDaemon(configPath: string, options: DaemonOptions = {}): Promise<number> {
  let config: SelfsnapConfig;
  try {
    config = await loadConfig(configPath);
  } catch (error) {
    process.stderr.write(`selfsnap: ${(error as Error).message}\n`);
    return EXIT_CONFIG;
  }
  if (options.socketPath !== undefined) config.socket.path = options.socketPath;
  const format = chooseLogFormat(options.json === true);
  const scope = createLogger({ level: config.log.level, format });
  const logger = scope.child({ component: 'daemon' });
  const daemon = new Daemon(config, scope);
  try {
    await daemon.start();
  } catch (error) {
    logger.error({ err: error }, 'daemon failed to start');
    process.stderr.write(`selfsnap: ${(error as Error).message}\n`);
    return 1;
  }
  await tellSystemd('READY=1', logger);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  logger.info({ signal }, 'stopping');
  await tellSystemd('STOPPING=1', logger);
  await daemon.stop();
  return 0;
}

/** Reports a state change to systemd under `Type=notify`; a failed report is logged, not fatal. */
async function tellSystemd(state: SystemdState, logger: Logger): Promise<void> {
  const result = await notifySystemd(state);
  if (result.status === 'failed') {
    logger.warn({ state, reason: result.reason }, 'systemd notification failed');
  }
}
