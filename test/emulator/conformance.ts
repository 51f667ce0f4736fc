import { expect } from 'vitest';

import { startEmulator, type Emulator, type Scenario } from './index.js';
import { callAction, connectEcsClient, type EcsClient } from './sdk-client.js';

/** One row of a conformance table: a call that the emulator must reject with `code` and `status`. */
export interface RejectionCase {
  name: string;
  action: string;
  query: Record<string, string>;
  code: string;
  status: number;
  scenario?: Scenario;
  /** Runs before the call, for example to start a snapshot that must still be in progress. */
  setup?: (emulator: Emulator, client: EcsClient) => Promise<void>;
}

/** Starts an emulator for one case and closes it afterwards. */
export async function withEmulator(
  scenario: Scenario | undefined,
  run: (emulator: Emulator, client: EcsClient) => Promise<void>,
): Promise<void> {
  const emulator = await startEmulator({ scenario });
  try {
    const { client } = await connectEcsClient(emulator);
    await run(emulator, client);
  } finally {
    await emulator.close();
  }
}

/** Sends the case's call through the real SDK and asserts the error code and HTTP status. */
export async function expectRejection(testCase: RejectionCase): Promise<void> {
  await withEmulator(testCase.scenario, async (emulator, client) => {
    await testCase.setup?.(emulator, client);

    const call = callAction(client, testCase.action, testCase.query);

    await expect(call).rejects.toMatchObject({ code: testCase.code, statusCode: testCase.status });
    const [last] = emulator.control.requests({ action: testCase.action }).slice(-1);
    expect(last?.errorCode).toBe(testCase.code);
  });
}

/** Returns `Tag.N.Key`/`Tag.N.Value` query parameters for the given pairs. */
export function tagQuery(pairs: Array<[string, string]>, prefix = 'Tag'): Record<string, string> {
  return Object.fromEntries(
    pairs.flatMap(([key, value], index) => [
      [`${prefix}.${index + 1}.Key`, key],
      [`${prefix}.${index + 1}.Value`, value],
    ]),
  );
}
