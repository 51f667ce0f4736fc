// Module resolution hooks for record-imports.mjs; they run on the loader thread.
import { appendFileSync } from 'node:fs';

let logFile;

export function initialize(data) {
  logFile = data.logFile;
}

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  if (logFile !== undefined) appendFileSync(logFile, `${result.url}\n`);
  return result;
}
