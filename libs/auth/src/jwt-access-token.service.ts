import { randomUUID } from 'node:crypto';
import type { AccessTokenClaims, AccessTokenService, AccessTokenSubject, Clock } from '@pandora/domain';
import { ROLES } from '@pandora/domain';
import { AppError } from '@pandora/errors';
import { decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { compactSigner, type CompactSigner } from './compact-jws';
import type { KeyRing } from './key-ring';

export interface AccessTokenSettings {
  issuer: string;
  audience: string;
  ttlMs: number;
}

/** RFC 9068 media type: other kinds of JWT signed with the same keys are not access tokens. */
const ACCESS_TOKEN_TYP = 'at+jwt';
const MAX_TOKEN_LENGTH = 4096;
/** jose's clockTolerance below, in seconds; the cache applies the same leeway. */
const CLOCK_TOLERANCE_S = 5;
/** Verified tokens remembered (the oldest is forgotten first); about 1 KiB each. */
const MAX_VERIFIED = 10_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Callers get their own copy: nothing they do to it reaches the remembered claims. */
const copyOf = (claims: AccessTokenClaims): AccessTokenClaims => ({ ...claims, ...(claims.amr ? { amr: [...claims.amr] } : {}) });

const invalid = (message = 'The access token is invalid.') => new AppError('INVALID_TOKEN', message);

/**
 * Access tokens: short-lived JWTs signed by the key ring's active key (claims: docs/tokens.md#access-tokens).
 *
 * A client presents the same token on every request for its lifetime, and checking an ES256
 * signature is the largest CPU cost of an authenticated request (docs/benchmarks.md). So a token
 * that passed every check is remembered, keyed by its exact text: presenting it again skips the
 * signature and claim checks, which cannot come out differently for the same bytes and this
 * process's key ring (fixed at start-up); only the time checks are repeated, with jose's rules and
 * leeway, so that a remembered token expires exactly when a fresh verification would say so.
 * Whether the session behind the token is still live is not this class's business and is checked
 * on every request (Authenticate). Only tokens that verified are remembered.
 */
export class JwtAccessTokenService implements AccessTokenService {
  private readonly verified = new Map<string, { claims: AccessTokenClaims; nbf: number }>();
  /** The active key's signer, made on the first issue (a ring that only verifies never needs one). */
  private signer: { kid: string; alg: string; sign: CompactSigner } | undefined;

  constructor(
    private readonly keyRing: KeyRing,
    private readonly settings: AccessTokenSettings,
    private readonly clock: Clock,
  ) {}

  async issue(subject: AccessTokenSubject): Promise<{ token: string; expiresInSeconds: number }> {
    const signer = this.activeSigner();
    const issuedAt = Math.floor(this.clock.now().getTime() / 1000);
    const expiresInSeconds = Math.floor(this.settings.ttlMs / 1000);
    const { amr, aal, authTime } = subject.authentication;
    // The header and the claims in the order jose's SignJWT wrote them (its constructor's claims,
    // then iss, aud, sub, jti, iat, nbf, exp): the tokens are the same bytes as before, signature aside.
    const token = signer.sign(
      { alg: signer.alg, kid: signer.kid, typ: ACCESS_TOKEN_TYP },
      {
        email: subject.email,
        role: subject.role,
        sid: subject.sessionId,
        token_type: 'access',
        amr,
        aal,
        auth_time: Math.floor(authTime.getTime() / 1000),
        iss: this.settings.issuer,
        aud: this.settings.audience,
        sub: subject.userId,
        jti: randomUUID(),
        iat: issuedAt,
        nbf: issuedAt,
        exp: issuedAt + expiresInSeconds,
      },
    );
    return { token, expiresInSeconds };
  }

  async verify(token: string): Promise<AccessTokenClaims> {
    if (token.length > MAX_TOKEN_LENGTH) throw invalid();
    const remembered = this.verified.get(token);
    if (remembered) {
      const now = Math.floor(this.clock.now().getTime() / 1000);
      if (remembered.nbf > now + CLOCK_TOLERANCE_S) throw invalid();
      if (remembered.claims.exp <= now - CLOCK_TOLERANCE_S) {
        this.verified.delete(token);
        throw new AppError('TOKEN_EXPIRED');
      }
      return copyOf(remembered.claims);
    }
    let header: { kid?: unknown; alg?: unknown };
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw invalid();
    }
    const key = typeof header.kid === 'string' ? this.keyRing.find(header.kid) : undefined;
    if (!key) throw invalid('The access token was signed with an unknown key.');
    if (header.alg !== key.alg) throw invalid();

    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, key.verificationKey, {
        algorithms: [key.alg],
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        typ: ACCESS_TOKEN_TYP,
        currentDate: this.clock.now(),
        clockTolerance: CLOCK_TOLERANCE_S,
        requiredClaims: ['sub', 'jti', 'iat', 'nbf', 'exp'],
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new AppError('TOKEN_EXPIRED');
      throw invalid();
    }

    const { sub, sid, email, role, jti, iat, nbf, exp, token_type: tokenType, amr, aal, auth_time: authTime } = payload;
    if (
      tokenType !== 'access' ||
      typeof sub !== 'string' ||
      !UUID.test(sub) ||
      typeof sid !== 'string' ||
      !UUID.test(sid) ||
      typeof email !== 'string' ||
      !ROLES.includes(role as (typeof ROLES)[number])
    ) {
      throw invalid();
    }
    const claims: AccessTokenClaims = {
      sub,
      sid,
      email,
      role: role as AccessTokenClaims['role'],
      jti: jti as string,
      iat: iat as number,
      exp: exp as number,
      // Informational: authorisation reads the level from the session, not from the token.
      ...(Array.isArray(amr) && amr.every((method) => method === 'pwd' || method === 'otp')
        ? { amr: amr as NonNullable<AccessTokenClaims['amr']> }
        : {}),
      ...(aal === 1 || aal === 2 ? { aal } : {}),
      ...(typeof authTime === 'number' && Number.isInteger(authTime) ? { auth_time: authTime } : {}),
    };
    this.verified.set(token, { claims, nbf: nbf as number });
    if (this.verified.size > MAX_VERIFIED) this.verified.delete(this.verified.keys().next().value as string);
    return copyOf(claims);
  }

  private activeSigner(): { kid: string; alg: string; sign: CompactSigner } {
    if (!this.signer) {
      const key = this.keyRing.activeKey();
      this.signer = { kid: key.kid, alg: key.alg, sign: compactSigner(key.alg, key.signingKey) };
    }
    return this.signer;
  }
}
