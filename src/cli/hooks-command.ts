import type { Argv, CommandModule } from 'yargs';
import {
  defineCommand,
  defineDirectCommand,
  DEFAULT_CONFIG_FILE,
  printJson,
  printLines,
} from './command.js';
import { EXIT } from './exit-codes.js';

const MANAGERS = ['apt', 'dnf'] as const;
// apt's Pre-Install-Pkgs input is a few kilobytes per package; this bounds a runaway writer.
const MAX_INPUT_BYTES = 16 * 1024 * 1024;

const configOption = {
  type: 'string',
  describe: 'config file (env SELFSNAP_CONFIG)',
  default: process.env.SELFSNAP_CONFIG ?? DEFAULT_CONFIG_FILE,
} as const;
const rootOption = {
  type: 'string',
  describe: 'root folder of the target system, e.g. a chroot',
  default: '/',
} as const;
const jsonOption = { type: 'boolean', describe: 'print JSON', default: false } as const;

function managerArgument<T>(argv: Argv<T>) {
  return argv.positional('manager', {
    choices: MANAGERS,
    demandOption: true,
    describe: 'package manager',
  });
}

// Writing to /etc and /usr of the running system needs root; a chroot under --root may not.
function requireRoot(root: string): boolean {
  if (root !== '/' || process.getuid?.() === 0) return true;
  process.stderr.write('selfsnap: changing package-manager hooks needs root; run it with sudo\n');
  return false;
}

const installCommand = defineCommand({
  command: 'install <manager>',
  describe: 'install the apt hook or the dnf plugin',
  builder: (argv) =>
    managerArgument(argv)
      .option('root', rootOption)
      .option('after', {
        type: 'boolean',
        default: false,
        describe: 'also snapshot after each transaction',
      })
      .option('json', jsonOption),
  run: async (args) => {
    if (!requireRoot(args.root)) return EXIT.permissionDenied;
    const { installPackageHooks } = await import('../package-hooks/index.js');
    const changes = await installPackageHooks(args.manager, { root: args.root, after: args.after });
    if (args.json) printJson({ changes });
    else
      printLines(changes.map((change) => `${change.action.padEnd(9)} ${change.path}`).join('\n'));
    return EXIT.ok;
  },
});

const removeCommand = defineCommand({
  command: 'remove <manager>',
  describe: 'remove the apt hook or the dnf plugin',
  builder: (argv) => managerArgument(argv).option('root', rootOption).option('json', jsonOption),
  run: async (args) => {
    if (!requireRoot(args.root)) return EXIT.permissionDenied;
    const { removePackageHooks } = await import('../package-hooks/index.js');
    const changes = await removePackageHooks(args.manager, { root: args.root });
    if (args.json) printJson({ changes });
    else
      printLines(changes.map((change) => `${change.action.padEnd(9)} ${change.path}`).join('\n'));
    return EXIT.ok;
  },
});

const statusCommand = defineCommand({
  command: 'status',
  describe: 'show the installed hooks and the outcome of the last one',
  builder: (argv) =>
    argv.option('root', rootOption).option('config', configOption).option('json', jsonOption),
  run: async (args) => {
    const { loadHookSettings, readHookStatus } = await import('../package-hooks/index.js');
    const settings = await loadHookSettings(args.config, undefined);
    const status = await readHookStatus(args.root, settings.stateDir);
    if (args.json) {
      printJson(status);
      return EXIT.ok;
    }
    for (const hook of status.hooks) {
      const state = hook.installed
        ? `installed${hook.after ? ', with after' : ''}`
        : 'not installed';
      printLines(`${hook.manager.padEnd(4)} ${state}`);
    }
    const last = status.lastOutcome;
    printLines(
      last === null
        ? 'last hook: none yet'
        : `last hook: ${last.at} ${last.result}: ${last.message}`,
    );
    return EXIT.ok;
  },
});

/** `selfsnap hooks run MANAGER`: what the apt hook and the dnf plugin call on every transaction. */
export const runHookCommand = defineDirectCommand({
  command: 'run',
  describe:
    'make a restore point for a package transaction (called by the apt hook and the dnf plugin)',
  positionals: { manager: { choices: MANAGERS, describe: 'package manager' } },
  options: {
    phase: {
      choices: ['pre', 'post'],
      default: 'pre',
      describe: 'before or after the transaction',
    },
    transaction: { type: 'string', describe: 'transaction id shared by pre and post' },
    config: configOption,
    socket: { type: 'string', describe: 'daemon socket (default: from the config)' },
    json: jsonOption,
  } as const,
  epilog:
    'Reads the package list on stdin (apt Pre-Install-Pkgs protocol 3, or the dnf plugin lines).\n' +
    'Exit status: 0 restore point made or nothing to do, 10 no restore point but the ' +
    'transaction proceeds, 11 no restore point and the transaction must stop ' +
    '(triggers.hook.failClosed). SELFSNAP_HOOK_SKIP=1 skips the restore point.',
  run: async (args) => {
    const hooks = await import('../package-hooks/index.js');
    const input = args.phase === 'pre' || args.manager === 'dnf' ? await readStdin() : '';
    const settings = await hooks.loadHookSettings(
      args.config,
      args.socket ?? process.env.SELFSNAP_SOCKET,
    );
    const outcome = await hooks.runPackageHook(
      {
        manager: args.manager,
        phase: args.phase,
        input,
        transaction: args.transaction,
        skip: ['1', 'true', 'yes'].includes(process.env.SELFSNAP_HOOK_SKIP ?? ''),
      },
      settings,
    );
    if (outcome === undefined) return EXIT.ok;

    await hooks.saveHookOutcome(settings.stateDir, outcome).catch(() => undefined);
    await hooks.logHookOutcome(outcome);
    // apt and dnf show a hook's stderr on the terminal, next to their own progress.
    process.stderr.write(`selfsnap: ${outcome.message}\n`);
    if (args.json) printJson(outcome);
    return hooks.hookExitCode(outcome);
  },
});

/** `selfsnap hooks`: install, remove and inspect the package-manager hooks, and run one. */
export const hooksCommand: CommandModule = {
  command: 'hooks <command>',
  describe: 'restore points before package upgrades: apt hook and dnf plugin',
  builder: (argv: Argv) =>
    argv
      .command(installCommand)
      .command(removeCommand)
      .command(statusCommand)
      .command(runHookCommand)
      .demandCommand(1, 'name a hooks command: install, remove, status or run'),
  handler: () => undefined,
};

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Keep reading past the limit so the writer never gets a broken pipe.
    if (size <= MAX_INPUT_BYTES) chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
