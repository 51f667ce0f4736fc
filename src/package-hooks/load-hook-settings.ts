import { loadConfig, type WaitMode } from '../config/index.js';
import { toSelfsnapError } from '../errors/index.js';

/** The parts of the config a package hook needs, with the documented defaults. */
export interface HookSettings {
  socketPath: string;
  stateDir: string;
  wait: WaitMode;
  timeoutMs: number;
  failClosed: boolean;
  /** Reason the config could not be used, in which case the defaults apply. */
  configError?: string;
}

const DEFAULTS: Omit<HookSettings, 'configError'> = {
  socketPath: '/run/selfsnap/selfsnap.sock',
  stateDir: '/var/lib/selfsnap',
  wait: 'accepted',
  timeoutMs: 60_000,
  failClosed: false,
};

/**
 * Reads the hook settings from the config file. A missing or invalid config does not throw: the
 * hook then fails open with the defaults, because it cannot know whether failClosed was meant.
 */
export async function loadHookSettings(
  configPath: string,
  socketOverride: string | undefined,
): Promise<HookSettings> {
  try {
    const config = await loadConfig(configPath);
    const hook = config.triggers.hook;
    return {
      socketPath: socketOverride ?? config.socket.path,
      stateDir: config.stateDir,
      wait: hook?.wait ?? DEFAULTS.wait,
      timeoutMs: hook?.timeout ?? DEFAULTS.timeoutMs,
      failClosed: hook?.failClosed ?? DEFAULTS.failClosed,
    };
  } catch (error) {
    const configError = toSelfsnapError(error).message;
    return { ...DEFAULTS, socketPath: socketOverride ?? DEFAULTS.socketPath, configError };
  }
}
