import { z } from 'zod';

/**
 * JWT_SIGNING_KEYS: a JSON array forming the key ring (docs/tokens.md#the-key-ring).
 *   [{"kid":"2026-11","alg":"ES256","status":"active","private_key":"-----BEGIN PRIVATE KEY-----…"},
 *    {"kid":"2026-10","alg":"ES256","status":"grace","public_key":"-----BEGIN PUBLIC KEY-----…"}]
 * Exactly one `active` key signs; `grace` keys still verify; `retired` keys are ignored (kept in the
 * list only so that a rotation is a one-line status change). Symmetric HS256 keys are accepted only
 * when written out explicitly here, with at least 256 bits of secret.
 */
const kid = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'kid must be 1-64 characters of [A-Za-z0-9._-]');
const status = z.enum(['active', 'grace', 'retired']);

const asymmetricKey = z
  .object({
    kid,
    alg: z.enum(['ES256', 'EdDSA']),
    status,
    private_key: z.string().min(1).optional(),
    public_key: z.string().min(1).optional(),
  })
  .strict()
  .refine((key) => key.private_key !== undefined || key.public_key !== undefined, {
    message: 'an asymmetric key needs private_key (PEM) or public_key (PEM)',
  });

const symmetricKey = z
  .object({
    kid,
    alg: z.literal('HS256'),
    status,
    secret: z.string().min(43, 'an HS256 secret must be at least 256 bits (43+ base64 characters)'),
  })
  .strict();

export const signingKeyConfigSchema = z.union([asymmetricKey, symmetricKey]);
export type SigningKeyConfig = z.infer<typeof signingKeyConfigSchema>;

export const signingKeysSchema = z
  .array(signingKeyConfigSchema)
  .min(1)
  .superRefine((keys, ctx) => {
    const live = keys.filter((key) => key.status !== 'retired');
    const active = live.filter((key) => key.status === 'active');
    if (active.length !== 1) {
      ctx.addIssue({ code: 'custom', message: `exactly one key must be active (found ${active.length})` });
    }
    const activeKey = active[0];
    if (activeKey && activeKey.alg !== 'HS256' && !('private_key' in activeKey && activeKey.private_key)) {
      ctx.addIssue({ code: 'custom', message: `the active key "${activeKey.kid}" needs a private_key to sign` });
    }
    const kids = new Set<string>();
    for (const key of keys) {
      if (kids.has(key.kid)) ctx.addIssue({ code: 'custom', message: `duplicate kid "${key.kid}"` });
      kids.add(key.kid);
    }
  });

/** Parses the JSON text of JWT_SIGNING_KEYS (unset → null: the caller decides about generating one). */
export function signingKeysField() {
  return z
    .string()
    .optional()
    .transform((value, ctx): SigningKeyConfig[] | null => {
      if (value === undefined || value.trim() === '') return null;
      let json: unknown;
      try {
        json = JSON.parse(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON array of keys (value hidden)' });
        return z.NEVER;
      }
      const parsed = signingKeysSchema.safeParse(json);
      if (!parsed.success) {
        const reasons = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'keys'}: ${issue.message}`);
        ctx.addIssue({ code: 'custom', message: `invalid key ring (${reasons.join('; ')}) (value hidden)` });
        return z.NEVER;
      }
      return parsed.data;
    });
}
