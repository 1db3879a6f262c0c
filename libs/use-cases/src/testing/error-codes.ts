import type { AppError } from '@pandora/errors';

/**
 * The code a use case refused with, or 'OK': a test can then compare the outcomes of several calls
 * in one `toEqual`, which says more than a chain of `rejects.toMatchObject`.
 */
export const codeOf = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'OK',
    (error: AppError) => error.code,
  );
