import { Metadata, status as Status, type StatusObject } from '@grpc/grpc-js';
import { translateInfrastructureError } from '@pandora/data-access';
import { ERROR_CATALOG, type AppError, type ErrorCode } from '@pandora/errors';

/**
 * AppError codes → gRPC status codes (SPEC §11). The only place user-grpc decides a status code.
 * Codes not listed are not expected from the internal-service use cases; if one ever surfaces it
 * is answered as INTERNAL, like any other surprise.
 */
const GRPC_STATUS: Partial<Record<ErrorCode, Status>> = {
  INVALID_INPUT: Status.INVALID_ARGUMENT,
  USER_NOT_FOUND: Status.NOT_FOUND,
  NOT_FOUND: Status.NOT_FOUND,
  INVALID_KYC_TRANSITION: Status.FAILED_PRECONDITION,
  UNAUTHORIZED: Status.UNAUTHENTICATED,
  INVALID_TOKEN: Status.UNAUTHENTICATED,
  MFA_REQUIRED: Status.UNAUTHENTICATED,
  INVALID_MFA_CODE: Status.UNAUTHENTICATED,
  INVALID_MFA_TOKEN: Status.UNAUTHENTICATED,
  MFA_ENROLMENT_REQUIRED: Status.PERMISSION_DENIED,
  MFA_ALREADY_ENABLED: Status.FAILED_PRECONDITION,
  MFA_SETUP_REQUIRED: Status.FAILED_PRECONDITION,
  SERVICE_UNAVAILABLE: Status.UNAVAILABLE,
};

/** Trailing metadata key carrying the catalog code, for callers that need more than the status. */
export const ERROR_CODE_KEY = 'error-code';
export const INTERNAL_MESSAGE = ERROR_CATALOG.INTERNAL_ERROR.message;

export interface MappedStatus {
  status: StatusObject;
  /** Not an answer to the caller's request but a fault (a bug, the database down): log it as an error. */
  isFault: boolean;
}

function statusOf(code: Status, details: string, errorCode: ErrorCode): StatusObject {
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_KEY, errorCode);
  return { code, details, metadata };
}

/** Field problems are part of the message: gRPC has no envelope, and callers log `details`. */
function detailsOf(error: AppError): string {
  if (error.code !== 'INVALID_INPUT' || !error.details?.length) return error.message;
  return `${error.message} ${error.details.map((issue) => `${issue.field}: ${issue.message}`).join('; ')}`;
}

export function toGrpcStatus(error: unknown): MappedStatus {
  const appError = translateInfrastructureError(error);
  const code = appError ? GRPC_STATUS[appError.code] : undefined;
  if (!appError || code === undefined) {
    return { status: statusOf(Status.INTERNAL, INTERNAL_MESSAGE, 'INTERNAL_ERROR'), isFault: true };
  }
  return { status: statusOf(code, detailsOf(appError), appError.code), isFault: code === Status.UNAVAILABLE };
}

/** The status a handler answers when the work was not started because the deadline had passed. */
export function deadlineExceeded(): StatusObject {
  return { code: Status.DEADLINE_EXCEEDED, details: 'The deadline passed before the call could start.', metadata: new Metadata() };
}
