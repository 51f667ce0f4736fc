/** A command line yargs rejected: an unknown flag, a missing argument or a bad choice. */
export class UsageError extends Error {}
