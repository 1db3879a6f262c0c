import { createHash, timingSafeEqual } from 'node:crypto';
import type { Metadata, ServerInterceptingCallInterface } from '@grpc/grpc-js';
import type { GrpcCallerToken } from '@pandora/config';
import { AppError } from '@pandora/errors';
import type { Caller } from './rpc-context';

export type Authentication = { caller: Caller } | { error: AppError; reason: 'missing_token' | 'invalid_token' | 'no_client_certificate' };

type AuthContext = ReturnType<ServerInterceptingCallInterface['getAuthContext']>;

const BEARER = /^Bearer[ ]+([^\s]+)$/i;

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Decides who is calling (docs/grpc.md#caller-authentication). Every configured mechanism must pass:
 *  - service tokens (GRPC_AUTH_TOKENS): `authorization: Bearer <token>` must match one of them;
 *  - mTLS (GRPC_TLS_CLIENT_CA_FILE): the TLS handshake already refused connections without a
 *    certificate from the CA; the certificate's CN names the caller when no token does.
 * With neither configured (allowed in dev/test only) every caller is `anonymous`.
 */
export class CallerAuthenticator {
  private readonly tokens: Array<{ name: string; digest: Buffer }>;

  constructor(
    tokens: GrpcCallerToken[],
    private readonly mtls: boolean,
  ) {
    // Digests have one length whatever the token's, so comparing them leaks neither content nor length.
    this.tokens = tokens.map(({ name, token }) => ({ name, digest: sha256(token) }));
  }

  get mode(): 'token' | 'mtls' | 'token+mtls' | 'none' {
    if (this.tokens.length > 0) return this.mtls ? 'token+mtls' : 'token';
    return this.mtls ? 'mtls' : 'none';
  }

  get callerNames(): string[] {
    return this.tokens.map((token) => token.name);
  }

  authenticate(metadata: Metadata, authContext: AuthContext): Authentication {
    const certificateName = this.mtls ? (authContext.sslPeerCertificate?.subject?.CN ?? null) : null;
    if (this.mtls && !authContext.sslPeerCertificate?.raw) {
      return { error: new AppError('UNAUTHORIZED', 'A client certificate is required.'), reason: 'no_client_certificate' };
    }
    if (this.tokens.length === 0) {
      return {
        caller: this.mtls ? { name: String(certificateName ?? 'client-certificate'), via: 'mtls' } : { name: 'anonymous', via: 'none' },
      };
    }

    const values = metadata.get('authorization');
    const match = values.length === 1 && typeof values[0] === 'string' ? BEARER.exec(values[0]) : null;
    if (!match) return { error: new AppError('UNAUTHORIZED', 'Caller credentials are required.'), reason: 'missing_token' };

    const presented = sha256(match[1] as string);
    let caller: string | null = null;
    // Every configured token is compared, so the time taken does not tell which one (if any) matched.
    for (const token of this.tokens) {
      if (timingSafeEqual(presented, token.digest) && caller === null) caller = token.name;
    }
    if (caller === null) return { error: new AppError('INVALID_TOKEN', 'The service token is invalid.'), reason: 'invalid_token' };
    return { caller: { name: caller, via: 'token' } };
  }
}
