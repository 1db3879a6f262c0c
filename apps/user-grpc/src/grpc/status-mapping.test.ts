import { status as Status } from '@grpc/grpc-js';
import { AppError, ERROR_CODES, type ErrorCode } from '@pandora/errors';
import { GRPC_STATUS, toGrpcStatus } from './status-mapping';

describe('the gRPC status mapping', () => {
  it('maps the documented codes and answers everything else as INTERNAL', () => {
    const expected: Record<string, Status> = {
      INVALID_INPUT: Status.INVALID_ARGUMENT,
      USER_NOT_FOUND: Status.NOT_FOUND,
      NOT_FOUND: Status.NOT_FOUND,
      INVALID_KYC_TRANSITION: Status.FAILED_PRECONDITION,
      UNAUTHORIZED: Status.UNAUTHENTICATED,
      INVALID_TOKEN: Status.UNAUTHENTICATED,
      SERVICE_UNAVAILABLE: Status.UNAVAILABLE,
    };
    for (const code of ERROR_CODES) {
      expect([code, toGrpcStatus(new AppError(code)).status.code]).toEqual([code, expected[code] ?? Status.INTERNAL]);
    }
  });

  it('gives every catalog code a status, so a new code does not compile without one', () => {
    // Compiles only while the mapping is total (`npm run typecheck` checks test files too).
    const total: Record<ErrorCode, Status> = GRPC_STATUS;
    // What the compiler reports once the catalog grows a code the mapping lacks
    // ("Property 'NEW_CODE' is missing in type …"):
    // @ts-expect-error NEW_CODE has no gRPC status
    const grown: Record<ErrorCode | 'NEW_CODE', Status> = GRPC_STATUS;
    expect(Object.keys(total).sort()).toEqual([...ERROR_CODES].sort());
    expect(grown).toBe(total);
  });

  it('never sends the message of an unexpected error, and flags it as a fault', () => {
    const { status, isFault } = toGrpcStatus(new Error('relation "users" does not exist'));
    expect(status).toMatchObject({ code: Status.INTERNAL, details: 'An unexpected error occurred.' });
    expect(status.metadata.get('error-code')).toEqual(['INTERNAL_ERROR']);
    expect(isFault).toBe(true);
  });

  it('answers an unreachable database as UNAVAILABLE', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' });
    const { status, isFault } = toGrpcStatus(refused);
    expect(status.code).toBe(Status.UNAVAILABLE);
    expect(status.details).not.toContain('10.0.0.5');
    expect(isFault).toBe(true);
  });

  it('lists the invalid fields in the message of INVALID_ARGUMENT', () => {
    const { status, isFault } = toGrpcStatus(AppError.invalidInput([{ field: 'user_id', message: 'must be a UUID' }]));
    expect(status.details).toBe('The request is invalid. user_id: must be a UUID');
    expect(isFault).toBe(false);
  });
});
