/** The next `count` calls of `action` (`*` for any) fail with `code` and `httpStatus`. */
export interface ErrorFault {
  action: string;
  code: string;
  httpStatus: number;
  count: number;
  message?: string;
  /** Only calls that name this disk (DiskId, DiskId.N) fail. */
  diskId?: string;
  /** Only calls that carry this parameter fail, e.g. `NextToken` for the pages after the first. */
  parameter?: string;
}

/** Calls of `action` (`*` for any) wait `latencyMs` of real time before they are processed. */
export interface LatencyFault {
  action: string;
  latencyMs: number;
  /** How many calls are delayed; unlimited when absent. */
  count?: number;
}

/** The next `count` calls of `action` take effect, then the connection closes without a response. */
export interface DropFault {
  action: string;
  count: number;
}

/** The next `count` snapshots created of `diskId` end as `failed` instead of `accomplished`. */
export interface SnapshotFailureFault {
  diskId: string;
  count: number;
}

/** All faults of one emulator, as the control endpoint lists them. */
export interface FaultState {
  errors: ErrorFault[];
  latencies: LatencyFault[];
  drops: DropFault[];
  snapshotFailures: SnapshotFailureFault[];
  imdsHang: boolean;
}

function matches(faultAction: string, action: string): boolean {
  return faultAction === '*' || faultAction === action;
}

/** Injected faults; each `take*` call consumes one use of the first matching fault. */
export class FaultPlan {
  private state: FaultState = FaultPlan.empty();

  private static empty(): FaultState {
    return { errors: [], latencies: [], drops: [], snapshotFailures: [], imdsHang: false };
  }

  list(): FaultState {
    return structuredClone(this.state);
  }

  reset(): void {
    this.state = FaultPlan.empty();
  }

  addError(fault: ErrorFault): void {
    this.state.errors.push({ ...fault });
  }

  addLatency(fault: LatencyFault): void {
    this.state.latencies.push({ ...fault });
  }

  addDrop(fault: DropFault): void {
    this.state.drops.push({ ...fault });
  }

  addSnapshotFailure(fault: SnapshotFailureFault): void {
    this.state.snapshotFailures.push({ ...fault });
  }

  setImdsHang(hang: boolean): void {
    this.state.imdsHang = hang;
  }

  get imdsHang(): boolean {
    return this.state.imdsHang;
  }

  /**
   * Consumes and returns the error fault for a call of `action` naming `diskIds` and carrying the
   * parameters `parameterNames`, if any.
   */
  takeError(
    action: string,
    diskIds: readonly string[],
    parameterNames: readonly string[] = [],
  ): ErrorFault | undefined {
    const fault = this.state.errors.find(
      (candidate) =>
        matches(candidate.action, action) &&
        (candidate.diskId === undefined || diskIds.includes(candidate.diskId)) &&
        (candidate.parameter === undefined || parameterNames.includes(candidate.parameter)),
    );
    if (fault === undefined) return undefined;
    fault.count -= 1;
    this.state.errors = this.state.errors.filter((candidate) => candidate.count > 0);
    return fault;
  }

  /** Consumes one delayed call of `action` and returns its latency, or 0. */
  takeLatency(action: string): number {
    const fault = this.state.latencies.find((candidate) => matches(candidate.action, action));
    if (fault === undefined) return 0;
    if (fault.count !== undefined) {
      fault.count -= 1;
      this.state.latencies = this.state.latencies.filter((item) => item.count !== 0);
    }
    return fault.latencyMs;
  }

  /** Consumes one dropped response of `action`; returns whether this response is dropped. */
  takeDrop(action: string): boolean {
    const fault = this.state.drops.find((candidate) => matches(candidate.action, action));
    if (fault === undefined) return false;
    fault.count -= 1;
    this.state.drops = this.state.drops.filter((candidate) => candidate.count > 0);
    return true;
  }

  /** Consumes one planned failure for a new snapshot of `diskId`; returns whether it fails. */
  takeSnapshotFailure(diskId: string): boolean {
    const fault = this.state.snapshotFailures.find((candidate) => candidate.diskId === diskId);
    if (fault === undefined) return false;
    fault.count -= 1;
    this.state.snapshotFailures = this.state.snapshotFailures.filter((item) => item.count > 0);
    return true;
  }
}
