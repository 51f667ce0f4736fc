import { defineDirectCommand, DEFAULT_CONFIG_FILE, printJson, printLines } from './command.js';
import { EXIT } from './exit-codes.js';
import { formatTable } from './format-table.js';

/** `selfsnap check`: validates the config and the cloud access the daemon needs, without it. */
export const checkCommand = defineDirectCommand({
  command: 'check',
  describe: 'check the config, metadata service, RAM role and ECS permissions (no daemon needed)',
  options: {
    config: {
      type: 'string',
      describe: 'config file (env SELFSNAP_CONFIG)',
      default: process.env.SELFSNAP_CONFIG ?? DEFAULT_CONFIG_FILE,
    },
    json: { type: 'boolean', describe: 'print JSON', default: false },
  } as const,
  run: async (args) => {
    // The checks load the cloud SDK, which no other socket command needs.
    const { runChecks } = await import('./run-checks.js');
    const results = await runChecks(args.config);
    const failed = results.filter((result) => !result.ok);
    if (args.json) {
      printJson({ ok: failed.length === 0, checks: results });
    } else {
      const rows = results.map((result) => [
        result.ok ? 'ok' : 'FAIL',
        result.name,
        result.fix === undefined ? result.detail : `${result.detail}; fix: ${result.fix}`,
      ]);
      printLines(formatTable(['RESULT', 'CHECK', 'DETAIL'], rows));
    }
    if (failed.length === 0) return EXIT.ok;
    return failed.some((result) => result.name === 'config') ? EXIT.config : EXIT.cloudError;
  },
});
