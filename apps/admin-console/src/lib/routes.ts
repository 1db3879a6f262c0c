/** The console's screens and their addresses under /console (user-api answers index.html for all of them). */
export const BASE = '/console';

export type Route =
  { name: 'overview' } | { name: 'users' } | { name: 'user'; id: string } | { name: 'kyc' } | { name: 'audit' } | { name: 'not-found' };

export function parseRoute(pathname: string): Route {
  if (pathname !== BASE && !pathname.startsWith(`${BASE}/`)) return { name: 'not-found' };
  const segments = pathname
    .slice(BASE.length)
    .split('/')
    .filter((segment) => segment !== '');
  const [first, second, ...rest] = segments;
  if (rest.length > 0) return { name: 'not-found' };
  if (first === undefined) return { name: 'overview' };
  if (first === 'users' && second === undefined) return { name: 'users' };
  if (first === 'users' && second !== undefined) return { name: 'user', id: safeDecode(second) };
  if (first === 'kyc' && second === undefined) return { name: 'kyc' };
  if (first === 'audit' && second === undefined) return { name: 'audit' };
  return { name: 'not-found' };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export const href = {
  overview: () => `${BASE}/`,
  users: (search = '') => `${BASE}/users${search}`,
  user: (id: string) => `${BASE}/users/${encodeURIComponent(id)}`,
  kyc: (search = '') => `${BASE}/kyc${search}`,
  audit: (search = '') => `${BASE}/audit${search}`,
};

/** The page title of each screen (the browser tab and the history list). */
export function titleOf(route: Route): string {
  switch (route.name) {
    case 'overview':
      return 'Overview';
    case 'users':
      return 'Users';
    case 'user':
      return 'User';
    case 'kyc':
      return 'KYC queue';
    case 'audit':
      return 'Audit log';
    case 'not-found':
      return 'Not found';
  }
}
