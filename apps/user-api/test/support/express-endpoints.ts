import type { Express } from 'express';

/** The parts of an express 5 (router 2) layer that say what it serves. */
interface Layer {
  rawPath?: string | string[];
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

function pathsOf(path: string | string[] | undefined): string[] {
  if (path === undefined) return ['/'];
  return Array.isArray(path) ? path : [path];
}

function join(prefix: string, path: string): string {
  return path === '/' ? prefix || '/' : `${prefix}${path}`;
}

/**
 * What an express app really serves, read from its router stack (not from our route definitions):
 * `GET /api/v1/users/{id}` for each method of each route, recursing into mounted routers, and
 * `USE /docs` for middleware mounted under a path (static files). Paths use OpenAPI's `{param}`.
 */
export function servedEndpoints(app: Express): string[] {
  const found = new Set<string>();
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const methods = Object.keys(layer.route.methods).filter((method) => method !== '_all');
        for (const path of pathsOf(layer.route.path))
          for (const method of methods) found.add(`${method.toUpperCase()} ${join(prefix, path)}`);
      } else if (Array.isArray(layer.handle.stack)) {
        for (const path of pathsOf(layer.rawPath)) walk(layer.handle.stack, path === '/' ? prefix : `${prefix}${path}`);
      } else {
        for (const path of pathsOf(layer.rawPath)) if (path !== '/') found.add(`USE ${join(prefix, path)}`);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return [...found].map((entry) => entry.replace(/:([A-Za-z0-9_]+)/g, '{$1}')).sort();
}
