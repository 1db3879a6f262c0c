import { startTestUserApi, type TestUserApi } from './support/test-user-api';

let t: TestUserApi;
beforeAll(async () => {
  t = await startTestUserApi();
});
afterAll(() => t.stop());

function expressToOpenApi(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

describe('OpenAPI documents', () => {
  it.each(['public', 'admin'] as const)('the %s document lists exactly the routes the listener serves', async (listener) => {
    const app = listener === 'public' ? t.api.publicApp : t.api.adminApp;
    const agent = listener === 'public' ? t.http() : t.admin();
    const response = await agent.get('/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    const documented = Object.entries(response.body.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    const served = app.routes.filter((route) => !route.hidden).map((route) => `${route.method.toUpperCase()} ${expressToOpenApi(route.path)}`).sort();
    expect(documented).toEqual(served);
  });

  it('documents request bodies, responses, the error envelope and bearer security', async () => {
    const document = (await t.http().get('/openapi.json')).body;
    const register = document.paths['/api/v1/auth/register'].post;
    expect(register.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/RegisterRequest' });
    expect(register.responses['201'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/AuthResponse' });
    expect(register.responses['409'].description).toContain('USER_ALREADY_EXISTS');
    expect(register.responses['422'].description).toContain('WEAK_PASSWORD');
    const me = document.paths['/api/v1/users/me'].get;
    expect(me.security).toEqual([{ bearerAuth: [] }]);
    expect(me.responses['401'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ErrorEnvelope' });
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.components.schemas.RegisterRequest.additionalProperties).toBe(false);
  });

  it('serves Swagger UI at /docs from local assets', async () => {
    const page = await t.http().get('/docs');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.text).toContain('/docs/swagger-ui-bundle.js');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const bundle = await t.http().get('/docs/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.text.length).toBeGreaterThan(100_000);
  });
});
