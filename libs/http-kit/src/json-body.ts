import { AppError } from '@pandora/errors';
import express, { type Request, type Response } from 'express';

/**
 * Reads a JSON body under the rules of docs/api.md#request-bodies, only for routes that take one and only after the
 * caller was authenticated (a non-admin learns nothing from a 400 on an admin route):
 *  - no body at all → `undefined` (the route decides whether that is allowed);
 *  - a body that is not `application/json` → 415 UNSUPPORTED_MEDIA_TYPE;
 *  - more than the limit → 413 PAYLOAD_TOO_LARGE; malformed JSON or a scalar top level → 400;
 *  - JSON that parses but no route could mean → 400 before anything else reads it (`wellFormedBodyIssue`).
 */
export function hasBody(req: Request): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length !== '0';
}

export function createJsonBodyReader(limitBytes: number) {
  const parser = express.json({ limit: limitBytes, strict: true, type: () => true });
  return (req: Request, res: Response): Promise<unknown> => {
    if (!hasBody(req)) return Promise.resolve(undefined);
    if (!req.is('application/json')) {
      return Promise.reject(new AppError('UNSUPPORTED_MEDIA_TYPE'));
    }
    const charset = /;\s*charset=("?)([^";]+)\1/i.exec(req.headers['content-type'] ?? '')?.[2]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      return Promise.reject(new AppError('UNSUPPORTED_MEDIA_TYPE', 'The request body must be UTF-8 encoded application/json.'));
    }
    return new Promise((resolve, reject) => {
      parser(req, res, (error?: unknown) => {
        if (error) return reject(translateBodyParserError(error));
        const issue = wellFormedBodyIssue(req.body);
        if (issue) return reject(AppError.invalidInput([issue], 'The request body is not acceptable JSON.'));
        resolve(req.body);
      });
    });
  };
}

export function translateBodyParserError(error: unknown): AppError {
  const { type, status } = (error ?? {}) as { type?: string; status?: number };
  switch (type ?? '') {
    case 'entity.too.large':
      return new AppError('PAYLOAD_TOO_LARGE');
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'The request body must be UTF-8 encoded application/json.');
    case 'entity.parse.failed':
      return AppError.invalidInput([{ field: 'body', message: 'Malformed JSON.' }], 'The request body is not valid JSON.');
    default:
      if (status === 413) return new AppError('PAYLOAD_TOO_LARGE');
      if (status === 415) return new AppError('UNSUPPORTED_MEDIA_TYPE');
      return AppError.invalidInput([{ field: 'body', message: 'The request body could not be read.' }]);
  }
}

/** Deeper than any body of the API (they nest two levels at most), far below what a recursive reader survives. */
export const MAX_JSON_DEPTH = 32;

/**
 * One walk over a parsed body, without recursion, before the Idempotency-Key fingerprint, zod or a
 * use case sees it (docs/api.md#request-bodies):
 *  - nesting deeper than MAX_JSON_DEPTH → 400 (a 10 KB body can nest 5,000 levels and overflow
 *    the stack of any recursive reader);
 *  - a string or key that is not well-formed UTF-16 (a lone surrogate such as "\ud800", which JSON
 *    allows as an escape) → 400: it has no UTF-8 form, so the database would store it corrupted or
 *    refuse it. Checking every string here covers every field of every route, present and future.
 */
export function wellFormedBodyIssue(body: unknown): { field: string; message: string } | null {
  const pending: Array<{ value: unknown; path: string; depth: number }> = [{ value: body, path: '', depth: 0 }];
  while (pending.length > 0) {
    const { value, path, depth } = pending.pop() as { value: unknown; path: string; depth: number };
    const field = path === '' ? 'body' : path;
    if (typeof value === 'string') {
      if (!value.isWellFormed()) return { field, message: 'Must be valid Unicode text (no lone surrogates).' };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) return { field: 'body', message: `Nested more than ${MAX_JSON_DEPTH} levels deep.` };
    for (const [key, child] of Object.entries(value)) {
      const childPath = path === '' ? key : `${path}.${key}`;
      if (!key.isWellFormed()) return { field: childPath.toWellFormed(), message: 'Must be valid Unicode text (no lone surrogates).' };
      pending.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
  return null;
}
