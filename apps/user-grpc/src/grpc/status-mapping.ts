import { Metadata, status as Status, type StatusObject } from '@grpc/grpc-js';
import { translateInfrastructureError } from '@pandora/wiring';
import { ERROR_CATALOG, type AppError, type ErrorCode } from '@pandora/errors';

/**
 * AppError codes → gRPC status codes (docs/errors.md#the-catalog). The only place user-grpc decides a status code.
 * Total over the catalog: a new code does not compile until it is given a status here. INTERNAL
 * marks the codes the internal-service use cases never raise (they belong to the HTTP API); one
 * surfacing anyway is a bug, answered like any other surprise: generic message, logged as a fault.
 */
export const GRPC_STATUS: Record<ErrorCode, Status> = {
  INVALID_INPUT: Status.INVALID_ARGUMENT,
  INVALID_OR_EXPIRED_TOKEN: Status.INTERNAL,
  UNAUTHORIZED: Status.UNAUTHENTICATED,
  INVALID_TOKEN: Status.UNAUTHENTICATED,
  TOKEN_EXPIRED: Status.INTERNAL,
  INVALID_CREDENTIALS: Status.INTERNAL,
  INVALID_REFRESH_TOKEN: Status.INTERNAL,
  MFA_REQUIRED: Status.INTERNAL,
  INVALID_MFA_CODE: Status.INTERNAL,
  INVALID_MFA_TOKEN: Status.INTERNAL,
  FORBIDDEN: Status.INTERNAL,
  ACCOUNT_FROZEN: Status.INTERNAL,
  MFA_ENROLMENT_REQUIRED: Status.INTERNAL,
  USER_NOT_FOUND: Status.NOT_FOUND,
  NOT_FOUND: Status.NOT_FOUND,
  METHOD_NOT_ALLOWED: Status.INTERNAL,
  USER_ALREADY_EXISTS: Status.INTERNAL,
  INVALID_KYC_TRANSITION: Status.FAILED_PRECONDITION,
  IDEMPOTENCY_IN_PROGRESS: Status.INTERNAL,
  EMAIL_ALREADY_VERIFIED: Status.INTERNAL,
  MFA_ALREADY_ENABLED: Status.INTERNAL,
  MFA_SETUP_REQUIRED: Status.INTERNAL,
  PAYLOAD_TOO_LARGE: Status.INTERNAL,
  UNSUPPORTED_MEDIA_TYPE: Status.INTERNAL,
  IDEMPOTENCY_KEY_REUSED: Status.INTERNAL,
  WEAK_PASSWORD: Status.INTERNAL,
  RATE_LIMITED: Status.INTERNAL,
  INTERNAL_ERROR: Status.INTERNAL,
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
  const code = appError ? GRPC_STATUS[appError.code] : Status.INTERNAL;
  if (!appError || code === Status.INTERNAL) {
    return { status: statusOf(Status.INTERNAL, INTERNAL_MESSAGE, 'INTERNAL_ERROR'), isFault: true };
  }
  return { status: statusOf(code, detailsOf(appError), appError.code), isFault: code === Status.UNAVAILABLE };
}

/** The status a handler answers when the work was not started because the deadline had passed. */
export function deadlineExceeded(): StatusObject {
  return { code: Status.DEADLINE_EXCEEDED, details: 'The deadline passed before the call could start.', metadata: new Metadata() };
}
