import type { ErrorEnvelope } from './types';

/** Codes the console itself produces when there is no answer from the API to show. */
export type ClientErrorCode = 'NETWORK_ERROR' | 'UNEXPECTED_RESPONSE';

/** What went wrong, as the admin API said it (its envelope), or why there was no answer. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorEnvelope['error']['code'] | ClientErrorCode,
    message: string,
    readonly details: Array<{ field: string; message: string }> = [],
    readonly requestId: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The session is gone (expired, revoked, demoted): the console must sign in again. */
  get endsSession(): boolean {
    return this.status === 401;
  }
}

function isEnvelope(body: unknown): body is ErrorEnvelope {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const error = (body as { error: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

/** The error for a non-2xx answer: the API's own envelope when it sent one. */
export function errorFromAnswer(status: number, body: unknown, requestId: string | null): ApiError {
  if (isEnvelope(body)) {
    const { code, message, details, request_id } = body.error;
    return new ApiError(status, code, message, details ?? [], request_id ?? requestId);
  }
  return new ApiError(status, 'UNEXPECTED_RESPONSE', `The admin API answered ${status} without an explanation.`, [], requestId);
}

export function networkError(): ApiError {
  return new ApiError(0, 'NETWORK_ERROR', 'The admin API could not be reached. Check the connection and try again.');
}
