import { href, parseRoute } from './routes';

describe('the console’s addresses', () => {
  it.each([
    ['/console', { name: 'overview' }],
    ['/console/', { name: 'overview' }],
    ['/console/users', { name: 'users' }],
    ['/console/users/', { name: 'users' }],
    ['/console/users/0b9f7c52-5d6e-4d8f-9a3b-1c2d3e4f5a6b', { name: 'user', id: '0b9f7c52-5d6e-4d8f-9a3b-1c2d3e4f5a6b' }],
    ['/console/users/a%20b', { name: 'user', id: 'a b' }],
    ['/console/users/%E0%A4%A', { name: 'user', id: '%E0%A4%A' }],
    ['/console/kyc', { name: 'kyc' }],
    ['/console/audit', { name: 'audit' }],
    ['/console/audit/extra', { name: 'not-found' }],
    ['/console/users/x/sessions', { name: 'not-found' }],
    ['/console/nope', { name: 'not-found' }],
    ['/consoles', { name: 'not-found' }],
    ['/', { name: 'not-found' }],
  ])('%s is %j', (pathname, route) => {
    expect(parseRoute(pathname)).toEqual(route);
  });

  it('builds addresses that parse back to the same screen', () => {
    expect(parseRoute(href.user('a/b'))).toEqual({ name: 'user', id: 'a/b' });
    expect(parseRoute(href.overview())).toEqual({ name: 'overview' });
    expect(href.users('?query=ada')).toBe('/console/users?query=ada');
  });
});
