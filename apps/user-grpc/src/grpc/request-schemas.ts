import { emailSchema, KYC_STATUSES } from '@pandora/domain';
import { AppError } from '@pandora/errors';
import { z } from 'zod';

/**
 * Validation of the decoded request messages. Proto3 has no "missing": an absent string is "",
 * an absent number 0, so defaults are decided here. Problems are reported under the proto field
 * names (user_id, kyc_status…), which is what callers see in the .proto file.
 */
const DEFAULT_PAGE_SIZE = 10;
const UPDATED_BY_MAX = 255;

const userId = z.uuid('must be a UUID').transform((id) => id.toLowerCase());

export const userIdRequestSchema = z.object({ user_id: userId });

export const emailRequestSchema = z.object({ email: emailSchema });

export const updateKycRequestSchema = z.object({
  user_id: userId,
  kyc_status: z.enum(KYC_STATUSES, { error: `must be one of ${KYC_STATUSES.join(', ')}` }),
  updated_by: z
    .string()
    .trim()
    .max(UPDATED_BY_MAX, `must be at most ${UPDATED_BY_MAX} characters`)
    .refine((text) => !/[\p{Cc}]/u.test(text), 'must not contain control characters')
    .transform((text) => (text === '' ? null : text)),
});

/** Limits are checked by the ListUsers use case (1–100, offset ≥ 0); 0 or less means the default. */
export const listUsersRequestSchema = z.object({
  limit: z
    .number()
    .int()
    .transform((limit) => (limit <= 0 ? DEFAULT_PAGE_SIZE : limit)),
  offset: z.number().int(),
});

/** Parses `input` or throws INVALID_INPUT with one detail per bad field. */
export function parseRequest<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw AppError.invalidInput(parsed.error.issues.map((issue) => ({ field: issue.path.join('.') || 'request', message: issue.message })));
}
