import { randomBytes } from 'node:crypto';

import type { EmulatedClock } from './clock.js';
import { randomIdSuffix } from './ids.js';
import type { EmulatorSettings } from './settings.js';

/** One STS credential set the emulated metadata service handed out. */
export interface IssuedCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
  roleName: string;
  issuedAtMs: number;
  expiresAtMs: number;
}

/**
 * Issues the RAM role's STS credentials and remembers every set, so the ECS side can verify a
 * request signed with an older set until that set's own expiration.
 */
export class CredentialIssuer {
  private readonly byAccessKeyId = new Map<string, IssuedCredentials>();
  private readonly currentByRole = new Map<string, IssuedCredentials>();

  constructor(
    private readonly clock: EmulatedClock,
    private readonly settings: EmulatorSettings,
  ) {}

  /** Returns the role's current set, issuing a new one when less than the rotation margin remains. */
  current(roleName: string): IssuedCredentials {
    const now = this.clock.now();
    const existing = this.currentByRole.get(roleName);
    // A margin as long as the lifetime would rotate on every read, so it is capped at half of it.
    const margin = Math.min(
      this.settings.credentialRotationMarginMs,
      this.settings.credentialLifetimeMs / 2,
    );
    if (existing !== undefined && existing.expiresAtMs - now > margin) return existing;

    const issued: IssuedCredentials = {
      accessKeyId: `STS.${randomIdSuffix(24).toUpperCase()}`,
      accessKeySecret: randomBytes(24).toString('base64url'),
      securityToken: `CAIS${randomBytes(96).toString('base64')}`,
      roleName,
      issuedAtMs: now,
      expiresAtMs: now + this.settings.credentialLifetimeMs,
    };
    this.byAccessKeyId.set(issued.accessKeyId, issued);
    this.currentByRole.set(roleName, issued);
    return issued;
  }

  /** Makes the next read issue a new set; earlier sets stay valid until their own expiration. */
  rotate(): void {
    this.currentByRole.clear();
  }

  /** Returns copies of every set issued so far, expired ones included. */
  issued(): IssuedCredentials[] {
    return [...this.byAccessKeyId.values()].map((set) => ({ ...set }));
  }

  /** Returns the set an AccessKeyId belongs to, expired or not. */
  findByAccessKeyId(accessKeyId: string): IssuedCredentials | undefined {
    return this.byAccessKeyId.get(accessKeyId);
  }

  /** Returns the set a security token belongs to, expired or not. */
  findBySecurityToken(securityToken: string): IssuedCredentials | undefined {
    for (const issued of this.byAccessKeyId.values()) {
      if (issued.securityToken === securityToken) return issued;
    }
    return undefined;
  }
}
