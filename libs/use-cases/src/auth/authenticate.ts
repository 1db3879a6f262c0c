import { AppError } from '@pandora/errors';
import type { Principal } from '@pandora/domain';
import type { Ports } from '../ports';

export type AuthenticatePorts = Pick<Ports, 'accessTokens' | 'principals' | 'clock'>;

/**
 * Turns a bearer access token into the caller. The signature and claims are checked first; then
 * the session behind the token must still be live, so a revoked session's tokens stop working
 * long before they expire (docs/tokens.md#revocation).
 */
export class Authenticate {
  constructor(private readonly deps: AuthenticatePorts) {}

  async execute(accessToken: string): Promise<Principal> {
    const claims = await this.deps.accessTokens.verify(accessToken);
    const principal = await this.deps.principals.load(claims.sid);
    const now = this.deps.clock.now();
    if (
      !principal ||
      principal.userId !== claims.sub ||
      principal.sessionRevokedAt !== null ||
      principal.userDeletedAt !== null ||
      principal.sessionAbsoluteExpiresAt <= now
    ) {
      throw new AppError('INVALID_TOKEN', 'The session of this access token has ended.');
    }
    return { userId: principal.userId, sessionId: principal.sessionId, email: principal.email, role: principal.role, aal: principal.aal };
  }
}
