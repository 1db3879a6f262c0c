import { status as Status } from '@grpc/grpc-js';
import { AppError, ERROR_CODES } from '@pandora/errors';
import { toGrpcStatus } from './status-mapping';

describe('the gRPC status mapping', () => {
  it('maps the SPEC §11 codes and answers everything else as INTERNAL', () => {
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
