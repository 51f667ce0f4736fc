import { SelfsnapError } from '../errors/index.js';

/** The fixed address of the ECS instance metadata service. */
export const DEFAULT_METADATA_ENDPOINT = 'http://100.100.100.200';

/** Settings of the metadata client, from the `metadata` config section. */
export interface MetadataClientOptions {
  endpoint: string;
  tokenTtlSeconds: number;
  allowTokenless: boolean;
  timeoutMs: number;
  retries: number;
}

/** Which lookup failed, so an operator can tell a blocked token call from a missing role. */
export type MetadataStep = 'token' | 'identity' | 'role name' | 'credentials' | 'disks';

// Renew the token this long before its TTL ends so a request never carries a dying token.
const TOKEN_RENEW_MARGIN_MS = 60_000;
const RETRY_DELAY_MS = 200;

/** Reads the instance metadata service in hardened (token) mode. */
export class MetadataClient {
  private token?: { value: string; expiresAt: number };

  constructor(private readonly options: MetadataClientOptions) {}

  /** Fetches one metadata path (relative to `/latest/meta-data/`) as text. */
  async get(path: string, step: MetadataStep): Promise<string> {
    let lastError: unknown;
    let attempts = 0;
    while (attempts <= this.options.retries) {
      if (attempts > 0) await delay(RETRY_DELAY_MS * 2 ** (attempts - 1));
      attempts++;
      try {
        return await this.getOnce(path);
      } catch (error) {
        lastError = error;
        if (error instanceof SelfsnapError && !error.retryable) break;
      }
    }
    const reason = lastError instanceof Error ? lastError.message : String(lastError);
    const httpStatus = lastError instanceof SelfsnapError ? lastError.httpStatus : undefined;
    throw new SelfsnapError(
      'METADATA_UNAVAILABLE',
      `metadata ${step} lookup failed after ${attempts} attempts: ${reason}`,
      { retryable: true, cause: lastError, httpStatus },
    );
  }

  /** Fetches one metadata path like `get`, but returns undefined when the service returns HTTP 404. */
  async find(path: string, step: MetadataStep): Promise<string | undefined> {
    try {
      return await this.get(path, step);
    } catch (error) {
      if (error instanceof SelfsnapError && error.httpStatus === 404) return undefined;
      throw error;
    }
  }

  private async getOnce(path: string): Promise<string> {
    const token = await this.currentToken();
    const headers: Record<string, string> = {};
    if (token !== undefined) headers['X-aliyun-ecs-metadata-token'] = token;

    const response = await this.request('GET', `/latest/meta-data/${path}`, headers);
    if (response.status === 401) this.token = undefined; // token expired or was revoked
    if (response.status !== 200) {
      throw new SelfsnapError(
        'METADATA_UNAVAILABLE',
        `GET ${path} returned HTTP ${response.status}`,
        {
          retryable: response.status >= 500 || response.status === 401,
          httpStatus: response.status,
        },
      );
    }
    return response.body.trim();
  }

  private async currentToken(): Promise<string | undefined> {
    if (this.token !== undefined && this.token.expiresAt - TOKEN_RENEW_MARGIN_MS > Date.now()) {
      return this.token.value;
    }
    const ttl = this.options.tokenTtlSeconds;
    try {
      const response = await this.request('PUT', '/latest/api/token', {
        'X-aliyun-ecs-metadata-token-ttl-seconds': String(ttl),
      });
      if (response.status !== 200) {
        throw new Error(`token request returned HTTP ${response.status}`);
      }
      this.token = { value: response.body, expiresAt: Date.now() + ttl * 1000 };
      return this.token.value;
    } catch (error) {
      if (this.options.allowTokenless) return undefined;
      const reason = error instanceof Error ? error.message : String(error);
      throw new SelfsnapError(
        'METADATA_UNAVAILABLE',
        `metadata token request failed (tokenless access is disabled): ${reason}`,
        { retryable: true, cause: error },
      );
    }
  }

  private async request(
    method: 'GET' | 'PUT',
    path: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; body: string }> {
    const url = new URL(path, this.options.endpoint);
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const response = await fetch(url, { method, headers, signal });
      return { status: response.status, body: await response.text() };
    } catch (error) {
      // fetch reports an expired signal as a bare "aborted"; name the request and the limit.
      if (signal.aborted) {
        throw new Error(`${method} ${path} timed out after ${this.options.timeoutMs} ms`, {
          cause: error,
        });
      }
      throw error;
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
