import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The address the metadata service and the SDK's RAM-role provider use on every ECS instance. */
export const METADATA_ADDRESS = '100.100.100.200';

/**
 * A network namespace that holds only `lo`, with 100.100.100.200 bound to it, so processes inside
 * reach the emulator at the real metadata address and nothing outside the machine.
 */
export class NetworkNamespace {
  private constructor(readonly name: string) {}

  /** Creates the namespace; needs root (CI runs as root). */
  static async create(): Promise<NetworkNamespace> {
    const name = `selfsnap-t${randomBytes(3).toString('hex')}`;
    await run('ip', ['netns', 'add', name]);
    const namespace = new NetworkNamespace(name);
    try {
      await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
      await run('ip', ['-n', name, 'addr', 'add', `${METADATA_ADDRESS}/32`, 'dev', 'lo']);
    } catch (error) {
      await namespace.delete();
      throw error;
    }
    return namespace;
  }

  /** Starts a long-running process inside the namespace. */
  spawn(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
    return spawn('ip', ['netns', 'exec', this.name, command, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  /** Runs a command inside the namespace and returns its output. */
  async exec(command: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
    return run('ip', ['netns', 'exec', this.name, command, ...args]);
  }

  /** Deletes the namespace; processes still inside lose their network. */
  async delete(): Promise<void> {
    await run('ip', ['netns', 'delete', this.name]).catch(() => undefined);
  }
}

/** Tells whether this machine can create network namespaces (root with iproute2). */
export async function canCreateNamespaces(): Promise<{ ok: boolean; reason?: string }> {
  if (process.getuid?.() !== 0) return { ok: false, reason: 'network namespaces need root' };
  try {
    await run('ip', ['-V']);
  } catch {
    return { ok: false, reason: 'the ip command (iproute2) is missing' };
  }
  return { ok: true };
}
