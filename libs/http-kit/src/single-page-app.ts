import fs from 'node:fs';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { AppError } from '@pandora/errors';

/**
 * The CSP of a single-page app served by a listener (the admin console): its own files and its own
 * origin's API, nothing inline (no script, no style attribute), no plugins, never framed, no form
 * posted anywhere, and the DOM's HTML sinks closed to strings (Trusted Types with no policy).
 */
export const SINGLE_PAGE_APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

export interface SinglePageApp {
  /** Where it is served, e.g. `/console`. */
  mountPath: string;
  /** The built app (index.html + assets/); undefined or missing: every page answers 404 saying so. */
  directory: string | undefined;
}

const HASHED_ASSETS = 'assets';

/**
 * Serves a built single-page app under `mountPath`: its files as they are (the content-hashed ones in
 * `assets/` cacheable for a year), and index.html with the app's CSP for every other GET, so client
 * routes (`/console/users/…`) survive a reload. A missing file (a path whose last segment has a dot)
 * stays a 404: answering HTML to a script request would only hide the mistake.
 */
export function singlePageApp(app: SinglePageApp): Router {
  const router = express.Router();
  const index = app.directory ? readIndex(app.directory) : undefined;
  const label = (_req: Request, res: Response, next: NextFunction) => {
    res.locals.routePattern = `${app.mountPath}/*`;
    next();
  };
  router.use(app.mountPath, label);
  if (app.directory && index !== undefined) {
    const assets = path.join(app.directory, HASHED_ASSETS);
    router.use(
      app.mountPath,
      express.static(app.directory, {
        index: false,
        redirect: false,
        fallthrough: true,
        etag: false,
        dotfiles: 'ignore',
        setHeaders: (res, file) => {
          if (file.startsWith(`${assets}${path.sep}`)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
        },
      }),
    );
  }
  router.get([app.mountPath, `${app.mountPath}/*path`], (req, res, next) => {
    const last = req.path.split('/').pop() ?? '';
    if (last.includes('.')) return next();
    if (index === undefined) return next(new AppError('NOT_FOUND', 'This page is not built: run `npm run build` (or `npm start`).'));
    res.setHeader('Content-Security-Policy', SINGLE_PAGE_APP_CSP);
    res.type('html').send(index);
  });
  return router;
}

function readIndex(directory: string): string | undefined {
  try {
    return fs.readFileSync(path.join(directory, 'index.html'), 'utf8');
  } catch {
    return undefined;
  }
}
