import { codeSpans, read, sectionOf, tableRows } from './markdown';

/**
 * docs/api.md lists the routes of both listeners; the committed OpenAPI documents are generated
 * from the route definitions and tested against what is served. The two must list the same routes,
 * with the same authentication.
 */
interface Operation {
  route: string;
  auth: 'none' | 'bearer';
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** A row whose description says "on the admin listener only" is not served by the public listener. */
function documentedRoutes(title: string, listener: 'public' | 'admin' = 'admin'): Operation[] {
  return tableRows(sectionOf(read('docs/api.md'), title))
    .filter(([method = '']) => METHODS.has(method))
    .filter(([, , , description = '']) => listener === 'admin' || !/on the admin listener only/i.test(description))
    .map(([method = '', path = '', auth = '']) => ({
      route: `${method} ${codeSpans(path)[0] ?? path}`,
      auth: auth === 'none' ? 'none' : 'bearer',
    }));
}

interface OpenApiDocument {
  paths: Record<string, Record<string, { security?: unknown[] }>>;
}

function openApiRoutes(file: string): Operation[] {
  const document = JSON.parse(read(file)) as OpenApiDocument;
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({
      route: `${method.toUpperCase()} ${path}`,
      auth: (operation.security?.length ?? 0) > 0 ? ('bearer' as const) : ('none' as const),
    })),
  );
}

const byRoute = (a: Operation, b: Operation) => a.route.localeCompare(b.route);

describe('docs/api.md', () => {
  it('lists every route of the public listener, with its authentication', () => {
    expect([...documentedRoutes('The public API'), ...documentedRoutes('Operational routes', 'public')].sort(byRoute)).toEqual(
      openApiRoutes('docs/openapi/user-api.public.json').sort(byRoute),
    );
  });

  it('lists every route of the admin listener, with its authentication', () => {
    expect([...documentedRoutes('The admin API'), ...documentedRoutes('Operational routes', 'admin')].sort(byRoute)).toEqual(
      openApiRoutes('docs/openapi/user-api.admin.json').sort(byRoute),
    );
  });
});
