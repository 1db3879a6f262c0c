import { AppError } from '@pandora/errors';
import express, { type Request, type Response } from 'express';

/**
 * Reads a JSON body under the rules of docs/api.md#request-bodies, only for routes that take one and only after the
 * caller was authenticated (a non-admin learns nothing from a 400 on an admin route):
 *  - no body at all → `undefined` (the route decides whether that is allowed);
 *  - a body that is not `application/json` → 415 UNSUPPORTED_MEDIA_TYPE;
 *  - more than the limit → 413 PAYLOAD_TOO_LARGE; malformed JSON or a scalar top level → 400.
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
        if (error) reject(translateBodyParserError(error));
        else resolve(req.body);
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
