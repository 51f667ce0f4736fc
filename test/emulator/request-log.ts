/** One ECS API call as the emulator received it, with the response status. */
export interface RecordedRequest {
  sequence: number;
  requestId: string;
  /** Emulated time of arrival, ISO 8601. */
  receivedAt: string;
  method: string;
  action: string;
  /** Decoded query parameters. */
  params: Record<string, string>;
  /** Request headers with lower-case names, the security token included. */
  headers: Record<string, string>;
  /** HTTP status sent, or 0 when the response was dropped or never sent. */
  httpStatus: number;
  /** Error `Code` when the call failed. */
  errorCode?: string;
  dropped: boolean;
}

/** One metadata-service request. */
export interface RecordedImdsRequest {
  sequence: number;
  receivedAt: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  httpStatus: number;
}

/** Filter for {@link RequestLog.list}. */
export interface RequestFilter {
  action?: string;
}

/**
 * The ECS and metadata requests of one emulator, in arrival order. Each list keeps the newest
 * `limit` records, so a long benchmark run does not grow memory without bound.
 */
export class RequestLog {
  private readonly ecs: RecordedRequest[] = [];
  private readonly imds: RecordedImdsRequest[] = [];
  private sequence = 0;

  constructor(private readonly limit: number) {}

  /** Adds an ECS call and returns the record, which the caller completes after responding. */
  addEcs(entry: Omit<RecordedRequest, 'sequence'>): RecordedRequest {
    const record = { sequence: ++this.sequence, ...entry };
    this.ecs.push(record);
    this.trim(this.ecs);
    return record;
  }

  addImds(entry: Omit<RecordedImdsRequest, 'sequence'>): RecordedImdsRequest {
    const record = { sequence: ++this.sequence, ...entry };
    this.imds.push(record);
    this.trim(this.imds);
    return record;
  }

  /** Drops the oldest records in batches of a tenth of the limit, which keeps each push cheap. */
  private trim(records: unknown[]): void {
    if (records.length > this.limit * 1.1) records.splice(0, records.length - this.limit);
  }

  list(filter: RequestFilter = {}): RecordedRequest[] {
    return this.ecs.filter(
      (record) => filter.action === undefined || record.action === filter.action,
    );
  }

  listImds(): RecordedImdsRequest[] {
    return [...this.imds];
  }

  clear(): void {
    this.ecs.length = 0;
    this.imds.length = 0;
  }
}
