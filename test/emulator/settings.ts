/** Tunable behaviour of one emulator, set by the scenario and changed through the control endpoint. */
export interface EmulatorSettings {
  /** Emulated time from CreateSnapshot to `accomplished`. */
  snapshotDurationMs: number;
  /** Fraction of the duration after which a snapshot reports `Available: true`. */
  snapshotAvailableFraction: number;
  /** Lifetime of each STS credential set that the metadata service issues. */
  credentialLifetimeMs: number;
  /** A new credential set is issued once less than this much lifetime remains on the current one. */
  credentialRotationMarginMs: number;
  /** Manual snapshots one disk may keep (`QuotaExceed.Snapshot` beyond it). */
  manualSnapshotQuotaPerDisk: number;
  /** Snapshots that may be in progress at once on one ESSD-family disk. */
  essdConcurrentSnapshotLimit: number;
  /** Disks one CreateSnapshotGroup may cover (`NumberExceed.TooManyDisks` beyond it). */
  snapshotGroupDiskLimit: number;
  /** Calls per action per emulated minute before `Throttling.User`. Unlisted actions are unlimited. */
  flowControlPerMinute: Record<string, number>;
  /**
   * What DeleteSnapshot does with an unknown id: `notFound` returns 404
   * `InvalidSnapshotId.NotFound`, `ignore` returns success. The API documents both behaviours.
   */
  missingSnapshotOnDelete: 'notFound' | 'ignore';
  /** Whether CreateSnapshotGroup also puts the group's tags on the member snapshots. */
  snapshotGroupTagsOnMembers: boolean;
  /** Records each request log keeps; older ones are dropped. Read at start-up only. */
  requestLogLimit: number;
  /** Actions the instance's RAM role may call. Undefined allows every action. */
  allowedActions: string[] | undefined;
}

/** Default settings: the documented limits where they are published, safe guesses elsewhere. */
export function defaultSettings(): EmulatorSettings {
  return {
    snapshotDurationMs: 3_000,
    snapshotAvailableFraction: 0.5,
    credentialLifetimeMs: 6 * 3_600_000,
    // NOTE: how early the real service rotates is not published, so 30 min is a guess.
    credentialRotationMarginMs: 30 * 60_000,
    manualSnapshotQuotaPerDisk: 256,
    // NOTE: the manual-snapshot concurrency on ESSD is not published. 10 is the automatic limit.
    essdConcurrentSnapshotLimit: 10,
    // NOTE: older documentation says 16 disks per group and the current SDK 128. 16 is the safe side.
    snapshotGroupDiskLimit: 16,
    // NOTE: whether group tags reach the member snapshots is not documented. By default they do
    // not, so a client that finds its snapshots by tag must tag the members itself.
    snapshotGroupTagsOnMembers: false,
    missingSnapshotOnDelete: 'notFound',
    flowControlPerMinute: {},
    requestLogLimit: 100_000,
    allowedActions: undefined,
  };
}
