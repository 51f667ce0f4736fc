import { ApiError } from './api-error.js';
import type { EmulatedClock } from './clock.js';
import {
  SIGNATURE_ALGORITHM,
  buildCanonicalRequest,
  buildStringToSign,
  hashPayload,
  parseAuthorization,
  signCanonicalRequest,
} from './signature.js';
import type { CredentialIssuer, IssuedCredentials } from './sts.js';

/** API version every call must name in `x-acs-version`. */
export const ECS_API_VERSION = '2014-05-26';
/** Allowed distance between `x-acs-date` and the emulated clock, as the real gateway allows. */
const MAX_CLOCK_SKEW_MS = 15 * 60_000;

/** An ECS call as it arrived, before any check. */
export interface SignedRequest {
  method: string;
  query: ReadonlyArray<readonly [string, string]>;
  headers: Readonly<Record<string, string>>;
  body: Buffer;
}

/** The gateway of one emulator: verifies V3 signatures, dates, nonces and STS credentials. */
export class Gateway {
  /** Nonces seen, with the emulated time they arrived; older than the skew window are dropped. */
  private readonly nonces = new Map<string, number>();

  constructor(
    private readonly clock: EmulatedClock,
    private readonly issuer: CredentialIssuer,
  ) {}

  /** Verifies a call and returns the credential set it was signed with; throws ApiError. */
  verify(request: SignedRequest): IssuedCredentials {
    const authorization = parseAuthorization(request.headers['authorization']);
    if (authorization === undefined) {
      throw new ApiError(
        400,
        'IncompleteSignature',
        'The authorization header is missing or malformed.',
      );
    }
    if (authorization.algorithm !== SIGNATURE_ALGORITHM) {
      throw new ApiError(
        400,
        'IncompleteSignature',
        `The signature algorithm "${authorization.algorithm}" is not supported; use ${SIGNATURE_ALGORITHM}.`,
      );
    }
    checkSignedHeaders(request.headers, authorization.signedHeaders);
    checkVersion(request.headers);
    this.checkDate(request.headers['x-acs-date']);
    const nonce = request.headers['x-acs-signature-nonce'];
    if (nonce === undefined || nonce === '') {
      throw new ApiError(
        400,
        'MissingSignatureNonce',
        'The x-acs-signature-nonce header is missing.',
      );
    }

    const credentials = this.checkCredentials(authorization.accessKeyId, request.headers);
    this.checkSignature(request, authorization.signedHeaders, authorization.signature, credentials);

    this.forgetOldNonces();
    if (this.nonces.has(nonce)) {
      throw new ApiError(
        400,
        'SignatureNonceUsed',
        `The signature nonce "${nonce}" has already been used.`,
      );
    }
    this.nonces.set(nonce, this.clock.now());
    return credentials;
  }

  private checkDate(value: string | undefined): void {
    if (value === undefined || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(value)) {
      throw new ApiError(
        400,
        'InvalidTimeStamp.Format',
        `The x-acs-date header "${value ?? ''}" is not in the yyyy-MM-ddTHH:mm:ssZ format.`,
      );
    }
    const skew = Math.abs(Date.parse(value) - this.clock.now());
    if (skew > MAX_CLOCK_SKEW_MS) {
      throw new ApiError(
        400,
        'InvalidTimeStamp.Expired',
        `The x-acs-date "${value}" is more than 15 minutes away from the server time ${new Date(this.clock.now()).toISOString()}.`,
      );
    }
  }

  private checkCredentials(
    accessKeyId: string,
    headers: Readonly<Record<string, string>>,
  ): IssuedCredentials {
    const credentials = this.issuer.findByAccessKeyId(accessKeyId);
    if (credentials === undefined) {
      throw new ApiError(
        404,
        'InvalidAccessKeyId.NotFound',
        `The AccessKeyId "${accessKeyId}" is not found.`,
      );
    }

    const token = headers['x-acs-security-token'];
    if (token === undefined || token === '') {
      throw new ApiError(
        400,
        'InvalidSecurityToken.Malformed',
        'The x-acs-security-token header is missing for STS credentials.',
      );
    }
    const owner = this.issuer.findBySecurityToken(token);
    if (owner === undefined) {
      throw new ApiError(
        400,
        'InvalidSecurityToken.Malformed',
        'The security token was not issued by this service.',
      );
    }
    const headerKeyId = headers['x-acs-accesskey-id'];
    if (
      owner.accessKeyId !== accessKeyId ||
      (headerKeyId !== undefined && headerKeyId !== accessKeyId)
    ) {
      throw new ApiError(
        400,
        'InvalidSecurityToken.MismatchWithAccessKey',
        `The security token does not belong to the AccessKeyId "${accessKeyId}".`,
      );
    }
    if (credentials.expiresAtMs <= this.clock.now()) {
      throw new ApiError(
        400,
        'InvalidSecurityToken.Expired',
        `The security token of "${accessKeyId}" expired at ${new Date(credentials.expiresAtMs).toISOString()}.`,
      );
    }
    return credentials;
  }

  private checkSignature(
    request: SignedRequest,
    signedHeaders: string[],
    signature: string,
    credentials: IssuedCredentials,
  ): void {
    const canonicalRequest = buildCanonicalRequest({
      method: request.method,
      query: request.query,
      headers: request.headers,
      signedHeaders,
      payloadHash: hashPayload(request.body),
    });
    if (signCanonicalRequest(canonicalRequest, credentials.accessKeySecret) !== signature) {
      const stringToSign = buildStringToSign(canonicalRequest).replace('\n', '\\n');
      throw new ApiError(
        400,
        'SignatureDoesNotMatch',
        `The request signature does not match the server's calculation. Server string to sign: ${stringToSign}`,
      );
    }
  }

  private forgetOldNonces(): void {
    const cutoff = this.clock.now() - 2 * MAX_CLOCK_SKEW_MS;
    for (const [nonce, seenAt] of this.nonces) {
      if (seenAt < cutoff) this.nonces.delete(nonce);
    }
  }
}

/** Requires `host` and every `x-acs-*` header to be signed, and every signed header to be present. */
function checkSignedHeaders(
  headers: Readonly<Record<string, string>>,
  signed: readonly string[],
): void {
  const mustSign = Object.keys(headers).filter(
    (name) => name === 'host' || name.startsWith('x-acs-'),
  );
  const unsigned = mustSign.filter((name) => !signed.includes(name));
  if (unsigned.length > 0) {
    throw new ApiError(
      400,
      'IncompleteSignature',
      `The headers ${unsigned.join(', ')} must be listed in SignedHeaders.`,
    );
  }
  const absent = signed.filter((name) => headers[name] === undefined);
  if (absent.length > 0) {
    throw new ApiError(
      400,
      'IncompleteSignature',
      `The signed headers ${absent.join(', ')} are not in the request.`,
    );
  }
}

function checkVersion(headers: Readonly<Record<string, string>>): void {
  const version = headers['x-acs-version'];
  if (version !== ECS_API_VERSION) {
    throw new ApiError(
      400,
      'InvalidVersion',
      `The x-acs-version "${version ?? ''}" is not supported; use ${ECS_API_VERSION}.`,
    );
  }
}
