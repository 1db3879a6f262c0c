import { z } from 'zod';

/** One key of MFA_ENCRYPTION_KEYS: its id (stored beside every secret it seals) and 32 bytes. */
export interface MfaEncryptionKeyConfig {
  kid: string;
  key: Buffer;
}

const KID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * MFA_ENCRYPTION_KEYS: `kid:base64key,…`, each key 32 random bytes in base64 (AES-256). The first
 * key seals new secrets and makes recovery-code digests; every listed key opens and recognises them
 * (docs/runbooks/mfa-key-rotation.md). Unset → null (a key is generated in dev/test, refused when
 * deployed). Key material is never echoed in an error.
 */
export function mfaEncryptionKeysField() {
  return z
    .string()
    .optional()
    .transform((value, ctx): MfaEncryptionKeyConfig[] | null => {
      if (value === undefined || value.trim() === '') return null;
      const entries = value
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry.length > 0);
      const keys: MfaEncryptionKeyConfig[] = [];
      const problems: string[] = [];
      entries.forEach((entry, index) => {
        const separator = entry.indexOf(':');
        const kid = separator > 0 ? entry.slice(0, separator) : '';
        const material = separator > 0 ? entry.slice(separator + 1) : '';
        if (!KID.test(kid)) {
          problems.push(`entry ${index + 1}: expected kid:base64key with a kid of 1-64 characters of [A-Za-z0-9._-]`);
          return;
        }
        const key = BASE64.test(material) ? Buffer.from(material, 'base64') : Buffer.alloc(0);
        if (key.length !== 32 || key.toString('base64') !== material) {
          problems.push(`key "${kid}": must be exactly 32 bytes in standard base64 (44 characters)`);
          return;
        }
        if (keys.some((known) => known.kid === kid)) problems.push(`key "${kid}": duplicate kid`);
        keys.push({ kid, key });
      });
      if (entries.length === 0) problems.push('no key given');
      for (const problem of problems) ctx.addIssue({ code: 'custom', message: `${problem} (value hidden)` });
      return problems.length > 0 ? z.NEVER : keys;
    });
}
