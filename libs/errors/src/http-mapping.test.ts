import { AppError } from './app-error';
import { ERROR_CATALOG, ERROR_CODES, type ErrorDefinition } from './error-catalog';
import { httpStatusOf, toHttpError } from './http-mapping';

describe('HTTP mapping of the error catalog', () => {
  it('maps every catalog code to its documented status', () => {
    const expected: Record<string, number> = {
      INVALID_INPUT: 400,
      INVALID_OR_EXPIRED_TOKEN: 400,
      UNAUTHORIZED: 401,
      INVALID_TOKEN: 401,
      TOKEN_EXPIRED: 401,
      INVALID_CREDENTIALS: 401,
      INVALID_REFRESH_TOKEN: 401,
      MFA_REQUIRED: 401,
      INVALID_MFA_CODE: 401,
      INVALID_MFA_TOKEN: 401,
      FORBIDDEN: 403,
      ACCOUNT_FROZEN: 403,
      MFA_ENROLMENT_REQUIRED: 403,
      USER_NOT_FOUND: 404,
      NOT_FOUND: 404,
      METHOD_NOT_ALLOWED: 405,
      USER_ALREADY_EXISTS: 409,
      INVALID_KYC_TRANSITION: 409,
      IDEMPOTENCY_IN_PROGRESS: 409,
      EMAIL_ALREADY_VERIFIED: 409,
      MFA_ALREADY_ENABLED: 409,
      MFA_SETUP_REQUIRED: 409,
      PAYLOAD_TOO_LARGE: 413,
      UNSUPPORTED_MEDIA_TYPE: 415,
      IDEMPOTENCY_KEY_REUSED: 422,
      WEAK_PASSWORD: 422,
      RATE_LIMITED: 429,
      INTERNAL_ERROR: 500,
      SERVICE_UNAVAILABLE: 503,
    };
    expect(Object.fromEntries(ERROR_CODES.map((code) => [code, httpStatusOf(code)]))).toEqual(expected);
  });

  it('cannot be missing for a code: an entry without an HTTP status does not compile', () => {
    const complete = { NEW_CODE: { httpStatus: 418, message: 'Short and stout.' } } satisfies Record<string, ErrorDefinition>;
    // What the compiler reports for a catalog entry without its status ("Property 'httpStatus' is missing…"):
    // @ts-expect-error NEW_CODE has no HTTP status
    const incomplete = { NEW_CODE: { message: 'Short and stout.' } } satisfies Record<string, ErrorDefinition>;
    expect(Object.keys(incomplete)).toEqual(Object.keys(complete));
  });

  it('turns an unknown error into INTERNAL_ERROR without leaking its message', () => {
    const { status, body } = toHttpError(new Error('relation "users" does not exist'), 'req-1');
    expect(status).toBe(500);
    expect(body).toEqual({ error: { code: 'INTERNAL_ERROR', message: ERROR_CATALOG.INTERNAL_ERROR.message, request_id: 'req-1' } });
  });

  it('includes details only for validation errors', () => {
    const invalid = toHttpError(AppError.invalidInput([{ field: 'email', message: 'Invalid email' }]), 'r');
    expect(invalid.body.error.details).toEqual([{ field: 'email', message: 'Invalid email' }]);
    const other = toHttpError(new AppError('FORBIDDEN', 'no', { details: [{ field: 'x', message: 'y' }] }), 'r');
    expect(other.body.error.details).toBeUndefined();
  });

  it('keeps the cause on the error but never in the body', () => {
    const error = new AppError('SERVICE_UNAVAILABLE', undefined, { cause: new Error('ECONNREFUSED 10.0.0.5:5432') });
    expect(error.cause).toBeInstanceOf(Error);
    expect(JSON.stringify(toHttpError(error, 'r').body)).not.toContain('ECONNREFUSED');
  });
});
