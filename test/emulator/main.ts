import { parseArgs } from 'node:util';

import { loadScenarioFile, startEmulator, type Scenario } from './index.js';

const USAGE = 'usage: npm run emulator -- --imds HOST:PORT --ecs HOST:PORT [--scenario FILE]';

/** Parses `HOST:PORT` (IPv6 hosts in brackets); port 0 picks a free port. */
function parseAddress(flag: string, value: string | undefined): { host: string; port: number } {
  const match = value === undefined ? null : /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  if (match === null || port > 65_535) {
    throw new Error(
      `--${flag} must be HOST:PORT with a port from 0 to 65535, got "${value ?? ''}"`,
    );
  }
  return { host: match[1] ?? match[2] ?? '', port };
}

function readArguments() {
  const { values } = parseArgs({
    options: { imds: { type: 'string' }, ecs: { type: 'string' }, scenario: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  return {
    imds: parseAddress('imds', values.imds),
    ecs: parseAddress('ecs', values.ecs),
    scenarioPath: values.scenario,
  };
}

async function main(): Promise<void> {
  let options;
  try {
    options = readArguments();
  } catch (error) {
    process.stderr.write(`emulator: ${(error as Error).message}; ${USAGE}\n`);
    process.exit(2);
  }

  let scenario: Scenario | undefined;
  if (options.scenarioPath !== undefined) {
    try {
      scenario = await loadScenarioFile(options.scenarioPath);
    } catch (error) {
      const message = (error as Error).message.replaceAll('\n', ' ');
      process.stderr.write(`emulator: cannot load scenario ${options.scenarioPath}: ${message}\n`);
      process.exit(2);
    }
  }

  const emulator = await startEmulator({ imds: options.imds, ecs: options.ecs, scenario });
  const stop = (signal: string) => {
    process.stdout.write(`emulator stopping on ${signal}\n`);
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  // The handlers go in before the ready line, so a signal sent right after it is handled.
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));

  const { imdsUrl, ecsEndpoint, instance } = emulator;
  process.stdout.write(
    `emulator ready imds=${imdsUrl} ecs=http://${ecsEndpoint} instance=${instance.instanceId}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`emulator: ${(error as Error).message}\n`);
  process.exit(1);
});
