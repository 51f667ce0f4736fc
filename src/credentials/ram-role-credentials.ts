import type credentials from '@alicloud/credentials';
import { SelfsnapError } from '../errors/index.js';
import { commonJsExports } from './common-js-exports.js';
import { DEFAULT_METADATA_ENDPOINT, type MetadataClient } from '../metadata/index.js';

/** One STS credential set as the RAM-role document returns it. */
export interface StsSession {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
  expiration: string;
}

/** The shape openapi-core reads from a provider's `getCredentials()`. */
interface ProviderCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
  providerName: string;
}

interface SessionSource {
  getSession(): Promise<StsSession>;
}

/** Credential health that the status endpoint and metrics show; never the secret itself. */
export interface CredentialsHealth {
  expiration?: string;
  lastRefreshAt?: string;
  lastError?: string;
}

/** The credential object of `@alicloud/credentials` that openapi-core accepts. */
export type SdkCredential = InstanceType<typeof credentials.default>;

/** The credential object openapi-core accepts, plus what health reporting needs. */
export interface RamRoleCredentials {
  /** Reads the current set, as `selfsnap check` does, and loads the SDK on first use. */
  credential: Pick<SdkCredential, 'getCredential'>;
  /** Loads `@alicloud/credentials` once and returns the credential object for openapi-core. */
  load(): Promise<SdkCredential>;
  health(): CredentialsHealth;
  /** Drops the cached set, so the next call reads a new one from the metadata service. */
  refresh(): void;
}

/** Settings of the RAM-role credential provider, from the `metadata` config section. */
export interface RamRoleOptions {
  metadataEndpoint: string;
  allowTokenless: boolean;
  timeoutMs: number;
}

/**
 * Creates credentials from the instance RAM role.
 *
 * With the default metadata endpoint this is the SDK's own `ecs_ram_role` provider, which always
 * dials 100.100.100.200:80. With another endpoint (the emulator on loopback) the same documents are
 * read through selfsnap's metadata client, because the SDK provider has no endpoint option.
 *
 * `@alicloud/credentials` (about 4 MiB of RSS with Node.js 20 on Linux x64) is imported on the
 * first `load()`, which the ECS client makes before its first call, so a process that makes no
 * ECS call does not hold it.
 */
export function createRamRoleCredentials(
  options: RamRoleOptions,
  metadata: MetadataClient,
): RamRoleCredentials {
  const health: CredentialsHealth = {};
  let observed: ObservedProvider | undefined;
  let loading: Promise<SdkCredential> | undefined;

  const load = (): Promise<SdkCredential> => {
    loading ??= import('@alicloud/credentials').then((namespace) => {
      const sdk = commonJsExports<typeof credentials>(namespace);
      const createSource = (): SessionSource =>
        normalizeEndpoint(options.metadataEndpoint) === DEFAULT_METADATA_ENDPOINT
          ? sdk.ECSRAMRoleCredentialsProvider.builder()
              .withDisableIMDSv1(!options.allowTokenless)
              .withConnectTimeout(options.timeoutMs)
              .withReadTimeout(options.timeoutMs)
              .build()
          : new MetadataSessionSource(metadata);
      observed = new ObservedProvider(createSource, health);
      return new sdk.default(null, observed);
    });
    return loading;
  };

  return {
    credential: { getCredential: async () => (await load()).getCredential() },
    load,
    health: () => health,
    // Before the first load nothing is cached, so there is nothing to drop.
    refresh: () => observed?.refresh(),
  };
}

class ObservedProvider {
  private source: SessionSource;

  constructor(
    private readonly createSource: () => SessionSource,
    private readonly health: CredentialsHealth,
  ) {
    this.source = createSource();
  }

  /** Replaces the source, and with it any cached set; the SDK provider has no other way. */
  refresh(): void {
    this.source = this.createSource();
  }

  async getCredentials(): Promise<ProviderCredentials> {
    let session: StsSession;
    try {
      session = await this.source.getSession();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.health.lastError = reason;
      throw new SelfsnapError(
        'CREDENTIALS_UNAVAILABLE',
        `cannot get RAM role credentials from the metadata service: ${reason}`,
        { retryable: true, cause: error },
      );
    }
    if (this.health.expiration !== session.expiration) {
      this.health.expiration = session.expiration;
      this.health.lastRefreshAt = new Date().toISOString();
    }
    this.health.lastError = undefined;
    return {
      accessKeyId: session.accessKeyId,
      accessKeySecret: session.accessKeySecret,
      securityToken: session.securityToken,
      providerName: 'ecs_ram_role',
    };
  }

  getProviderName(): string {
    return 'ecs_ram_role';
  }
}

// Fetch a new set this long before Expiration; the metadata service rolls sets well before then.
const REFRESH_MARGIN_MS = 5 * 60_000;

class MetadataSessionSource implements SessionSource {
  private cached?: StsSession;
  private fetching?: Promise<StsSession>;
  private roleName?: string;

  constructor(private readonly metadata: MetadataClient) {}

  /** Returns the cached set while it is fresh. Calls made while one read runs share it. */
  async getSession(): Promise<StsSession> {
    if (this.cached !== undefined) {
      const expiresAt = Date.parse(this.cached.expiration);
      if (expiresAt - REFRESH_MARGIN_MS > Date.now()) return this.cached;
    }
    this.fetching ??= this.fetchSession().finally(() => {
      this.fetching = undefined;
    });
    return this.fetching;
  }

  private async fetchSession(): Promise<StsSession> {
    this.roleName ??= await this.metadata.get('ram/security-credentials/', 'role name');
    const text = await this.metadata.get(
      `ram/security-credentials/${this.roleName}`,
      'credentials',
    );
    this.cached = parseStsDocument(text);
    return this.cached;
  }
}

/** Parses the RAM-role document, rejecting what the SDK's provider would also reject. */
export function parseStsDocument(text: string): StsSession {
  let document: Record<string, unknown>;
  try {
    document = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error('RAM role document is not JSON');
  }
  const { AccessKeyId, AccessKeySecret, SecurityToken, Expiration, Code } = document;
  if (Code !== 'Success') throw new Error(`RAM role document has Code ${String(Code)}`);
  for (const [name, value] of Object.entries({ AccessKeyId, AccessKeySecret, SecurityToken })) {
    if (typeof value !== 'string' || value === '') {
      throw new Error(`RAM role document has no ${name}`);
    }
  }
  if (typeof Expiration !== 'string' || Number.isNaN(Date.parse(Expiration))) {
    throw new Error('RAM role document has no valid Expiration');
  }
  return {
    accessKeyId: AccessKeyId as string,
    accessKeySecret: AccessKeySecret as string,
    securityToken: SecurityToken as string,
    expiration: Expiration,
  };
}

function normalizeEndpoint(endpoint: string): string {
  return new URL(endpoint).origin;
}
