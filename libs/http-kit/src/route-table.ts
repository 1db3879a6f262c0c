import type { HttpMethod, RouteDefinition } from './route-definition';

function patternToRegExp(path: string): RegExp {
  const escaped = path
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${escaped}/?$`);
}

/** Which methods exist for a path: the difference between 404 and 405 (with an Allow header). */
export class RouteTable {
  private readonly entries: Array<{ pattern: RegExp; method: HttpMethod }>;

  constructor(routes: RouteDefinition<unknown>[]) {
    this.entries = routes.map((route) => ({ pattern: patternToRegExp(route.path), method: route.method }));
  }

  allowedMethods(path: string): string[] {
    const methods = new Set<string>();
    for (const entry of this.entries) if (entry.pattern.test(path)) methods.add(entry.method.toUpperCase());
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  }
}
