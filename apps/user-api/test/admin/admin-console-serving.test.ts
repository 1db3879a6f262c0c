import { SINGLE_PAGE_APP_CSP } from '@pandora/http-kit';
import { buildAdminConsole, type BuiltConsole } from '../support/admin-console';
import { expectErrorEnvelope } from '../support/fixtures';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * How user-api serves the admin console on the admin listener: the built files, index.html for every
 * client route, its strict CSP, long caching for content-hashed assets only, 404s for anything
 * missing, and nothing at all on the public listener.
 */
let built: BuiltConsole;
let t: TestUserApi;
let index: string;
beforeAll(async () => {
  built = await buildAdminConsole();
  t = await startTestUserApi({ consoleDirectory: built.directory });
  index = (await t.admin().get('/console')).text;
}, 120_000);
afterAll(async () => {
  await t?.stop();
  built?.remove();
});

const assetPaths = () => [...index.matchAll(/(?:src|href)="(\/console\/[^"]+)"/g)].map((match) => match[1] as string);

describe('GET /console on the admin listener', () => {
  it.each(['/console', '/console/', '/console/users', '/console/users/0b9f7c52-5d6e-4d8f-9a3b-1c2d3e4f5a6b', '/console/kyc?offset=20'])(
    'answers %s with the app’s index.html under its strict CSP',
    async (path) => {
      const response = await t.admin().get(path);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.text).toBe(index);
      expect(response.headers['content-security-policy']).toBe(SINGLE_PAGE_APP_CSP);
      expect(response.headers['x-frame-options']).toBe('DENY');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['x-powered-by']).toBeUndefined();
    },
  );

  it('uses a CSP with nothing but its own origin, no inline code and no framing', () => {
    const directives = Object.fromEntries(
      SINGLE_PAGE_APP_CSP.split(';').map((directive) => {
        const [name, ...values] = directive.trim().split(/\s+/);
        return [name, values];
      }),
    );
    expect(directives['default-src']).toEqual(["'self'"]);
    for (const name of ['script-src', 'style-src', 'connect-src', 'img-src', 'font-src']) expect(directives[name]).toEqual(["'self'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(SINGLE_PAGE_APP_CSP).not.toMatch(/unsafe|data:|https?:|\*/);
  });

  it('ships a page with no inline script or style and only its own assets', () => {
    expect(index).toContain('<div id="app"></div>');
    expect(index).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(index).not.toMatch(/<style|\sstyle=/);
    expect(index).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
    expect(assetPaths().length).toBeGreaterThanOrEqual(3);
  });

  it('serves its content-hashed assets cacheable for a year, and the rest uncached', async () => {
    const hashed = assetPaths().filter((path) => path.startsWith('/console/assets/'));
    expect(hashed.map((path) => path.split('.').pop()).sort()).toEqual(['css', 'js']);
    for (const path of hashed) {
      const response = await t.admin().get(path);
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
      expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(response.headers['content-type']).toMatch(path.endsWith('.js') ? /javascript/ : /text\/css/);
    }
    const icon = await t.admin().get('/console/favicon.svg');
    expect(icon.status).toBe(200);
    expect(icon.headers['content-type']).toMatch(/image\/svg\+xml/);
    expect(icon.headers['cache-control']).toBe('no-store');
  });

  it.each(['/console/assets/missing.js', '/console/nope.css', '/console/..%2f..%2fpackage.json', '/console/%2e%2e/%2e%2e/package.json'])(
    'answers 404 with the envelope for a missing file (%s), never index.html or a file outside the app',
    async (path) => {
      const response = await t.admin().get(path);
      expect(response.status).toBe(404);
      expectErrorEnvelope(response.body, 'NOT_FOUND');
    },
  );

  it('answers only GET and HEAD', async () => {
    expect((await t.admin().head('/console/users')).status).toBe(200);
    const post = await t.admin().post('/console').send({});
    expect(post.status).toBe(404);
    expectErrorEnvelope(post.body, 'NOT_FOUND');
  });

  it('is not served on the public listener', async () => {
    const response = await t.http().get('/console');
    expect(response.status).toBe(404);
    expectErrorEnvelope(response.body, 'NOT_FOUND');
  });

  it('counts every console page under one route label', async () => {
    await t.admin().get(`/console/users/${'a'.repeat(10)}`);
    const metrics = (await t.admin().get('/metrics')).text;
    expect(metrics).toMatch(/http_requests_total\{[^}]*route="\/console\/\*"[^}]*\}/);
    expect(metrics).not.toContain('aaaaaaaaaa');
  });
});

describe('a user-api whose console is not built', () => {
  let unbuilt: TestUserApi;
  beforeAll(async () => {
    unbuilt = await startTestUserApi({ shareWith: t, consoleDirectory: `${built.directory}-missing` });
  });
  afterAll(() => unbuilt.stop());

  it('says so at start-up and answers /console with a 404 that tells how to build it', async () => {
    expect(unbuilt.logs).toContainEqual(
      expect.objectContaining({ level: 'warn', message: expect.stringContaining('admin console is not built') }),
    );
    const response = await unbuilt.admin().get('/console/users');
    expect(response.status).toBe(404);
    expectErrorEnvelope(response.body, 'NOT_FOUND');
    expect(response.body.error.message).toContain('npm run build');
  });
});
