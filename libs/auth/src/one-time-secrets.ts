import { createHash, randomBytes, randomInt } from 'node:crypto';
import { RECOVERY_CODE_ALPHABET, RECOVERY_CODE_LENGTH, type OneTimeSecrets } from '@pandora/domain';

const CHALLENGE_PREFIX = 'mfa_';
const CHALLENGE_SHAPE = /^mfa_[A-Za-z0-9_-]{43}$/;
// No prefix: the token travels in a link, where shorter is kinder to mail clients that wrap lines.
const LINK_TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** Recovery codes and MFA challenge tokens from the operating system's CSPRNG. */
export class RandomOneTimeSecrets implements OneTimeSecrets {
  recoveryCode(): string {
    // randomInt is uniform (rejection sampling), so every symbol carries its full 5 bits.
    let code = '';
    for (let index = 0; index < RECOVERY_CODE_LENGTH; index++) code += RECOVERY_CODE_ALPHABET[randomInt(RECOVERY_CODE_ALPHABET.length)];
    return code;
  }

  challengeToken(): { token: string; hash: string } {
    const token = `${CHALLENGE_PREFIX}${randomBytes(32).toString('base64url')}`;
    return { token, hash: sha256(token) };
  }

  challengeTokenHash(token: string): string | null {
    return CHALLENGE_SHAPE.test(token) ? sha256(token) : null;
  }

  linkToken(): { token: string; hash: string } {
    const token = randomBytes(32).toString('base64url');
    return { token, hash: sha256(token) };
  }

  linkTokenHash(token: string): string | null {
    return LINK_TOKEN_SHAPE.test(token) ? sha256(token) : null;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
