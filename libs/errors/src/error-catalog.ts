export interface ErrorDefinition {
  httpStatus: number;
  message: string;
}

/**
 * The error catalog (docs/errors.md): every code a client can receive, with its HTTP status and the
 * default message. Transports map codes to their own status space in exactly one place each
 * (HTTP here, gRPC in user-grpc's `status-mapping.ts`). Every mapping is total — a
 * `Record<ErrorCode, …>` — so a new code here does not compile until each transport decides it;
 * the HTTP status is part of the entry itself.
 */
export const ERROR_CATALOG = {
  INVALID_INPUT: { httpStatus: 400, message: 'The request is invalid.' },
  INVALID_OR_EXPIRED_TOKEN: {
    httpStatus: 400,
    message: 'The link is invalid, already used, expired or replaced by a newer one; ask for a new one.',
  },
  UNAUTHORIZED: { httpStatus: 401, message: 'Authentication is required.' },
  INVALID_TOKEN: { httpStatus: 401, message: 'The access token is invalid.' },
  TOKEN_EXPIRED: { httpStatus: 401, message: 'The access token has expired.' },
  INVALID_CREDENTIALS: { httpStatus: 401, message: 'Invalid email or password.' },
  INVALID_REFRESH_TOKEN: { httpStatus: 401, message: 'The refresh token is invalid.' },
  MFA_REQUIRED: { httpStatus: 401, message: 'This action needs a second factor (mfa_code).' },
  INVALID_MFA_CODE: { httpStatus: 401, message: 'The authentication code is wrong, already used, or expired.' },
  INVALID_MFA_TOKEN: { httpStatus: 401, message: 'The MFA challenge is unknown, used, expired or exhausted; log in again.' },
  FORBIDDEN: { httpStatus: 403, message: 'You are not allowed to do this.' },
  ACCOUNT_FROZEN: {
    httpStatus: 403,
    message: 'This account was frozen by its owner from a security notice; support can unfreeze it.',
  },
  MFA_ENROLMENT_REQUIRED: {
    httpStatus: 403,
    message: 'The admin API needs a session signed in with a second factor: enable TOTP, then log in again.',
  },
  USER_NOT_FOUND: { httpStatus: 404, message: 'User not found.' },
  NOT_FOUND: { httpStatus: 404, message: 'Not found.' },
  METHOD_NOT_ALLOWED: { httpStatus: 405, message: 'Method not allowed.' },
  USER_ALREADY_EXISTS: { httpStatus: 409, message: 'An account with this email already exists.' },
  INVALID_KYC_TRANSITION: { httpStatus: 409, message: 'This KYC status change is not allowed.' },
  IDEMPOTENCY_IN_PROGRESS: { httpStatus: 409, message: 'A request with this Idempotency-Key is still being processed.' },
  EMAIL_ALREADY_VERIFIED: { httpStatus: 409, message: 'The email address is already verified.' },
  MFA_ALREADY_ENABLED: { httpStatus: 409, message: 'Two-factor authentication is already enabled.' },
  MFA_SETUP_REQUIRED: { httpStatus: 409, message: 'Two-factor authentication is not set up: start with the TOTP setup.' },
  PAYLOAD_TOO_LARGE: { httpStatus: 413, message: 'The request body is too large.' },
  UNSUPPORTED_MEDIA_TYPE: { httpStatus: 415, message: 'The request body must be application/json.' },
  IDEMPOTENCY_KEY_REUSED: { httpStatus: 422, message: 'This Idempotency-Key was used for a different request.' },
  WEAK_PASSWORD: { httpStatus: 422, message: 'The password does not meet the password policy.' },
  RATE_LIMITED: { httpStatus: 429, message: 'Too many requests.' },
  INTERNAL_ERROR: { httpStatus: 500, message: 'An unexpected error occurred.' },
  SERVICE_UNAVAILABLE: { httpStatus: 503, message: 'A dependency is unavailable. Try again later.' },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export const ERROR_CODES = Object.keys(ERROR_CATALOG) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CATALOG, value);
}
