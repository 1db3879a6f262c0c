import { randomUUID } from 'node:crypto';
import { base64url, SignJWT } from 'jose';
import { bearer, expectErrorEnvelope, registerUser } from './support/fixtures';
import { startTestUserApi, type TestUserApi } from './support/test-user-api';

let t: TestUserApi;
beforeAll(async () => {
  t = await startTestUserApi();
});
afterAll(() => t.stop());

const me = (headers: Record<string, string>) => t.http().get('/api/v1/users/me').set(headers);
const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString());

describe('access tokens over HTTP', () => {
  it('carries the documented claims and a kid published at /.well-known/jwks.json', async () => {
    const user = await registerUser(t.http());
    const [headerPart, payloadPart] = user.accessToken.split('.') as [string, string];
    const header = decode(headerPart);
    const claims = decode(payloadPart);
    expect(header.alg).toBe('ES256');
    expect(claims).toMatchObject({
      iss: 'pandora-exchange',
      aud: 'pandora-exchange-api',
      sub: user.id,
      email: user.email,
      role: 'user',
      sid: user.sessionId,
      token_type: 'access',
    });
    expect(claims.exp - claims.iat).toBe(900);
    const jwks = await t.http().get('/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    expect(jwks.headers['cache-control']).toBe('public, max-age=300');
    expect(jwks.body.keys.map((key: { kid: string }) => key.kid)).toContain(header.kid);
    expect(JSON.stringify(jwks.body)).not.toMatch(/"d":/);
  });

  it('answers a missing or malformed Authorization header with 401 UNAUTHORIZED', async () => {
    for (const headers of [
      {} as Record<string, string>,
      { Authorization: 'Basic dXNlcjpwYXNz' },
      { Authorization: 'Bearer' },
      { Authorization: 'Bearer a b' },
      { Authorization: 'token abc' },
    ]) {
      const response = await me(headers);
      expect(response.status).toBe(401);
      expectErrorEnvelope(response.body, 'UNAUTHORIZED');
    }
  });

  it('rejects alg:none, tampering, algorithm confusion, an unknown kid and a refresh token with 401 INVALID_TOKEN', async () => {
    const user = await registerUser(t.http());
    const [headerPart, payloadPart, signature] = user.accessToken.split('.') as [string, string, string];
    const header = decode(headerPart);
    const claims = decode(payloadPart);
    const jwks = (await t.http().get('/.well-known/jwks.json')).body;

    const none = `${base64url.encode(JSON.stringify({ ...header, alg: 'none' }))}.${payloadPart}.`;
    const tampered = `${headerPart}.${base64url.encode(JSON.stringify({ ...claims, role: 'admin' }))}.${signature}`;
    const confused = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'HS256', kid: header.kid, typ: 'at+jwt' })
      .sign(new TextEncoder().encode(JSON.stringify(jwks.keys[0])));
    const unknownKid = `${base64url.encode(JSON.stringify({ ...header, kid: 'not-in-ring' }))}.${payloadPart}.${signature}`;

    for (const token of [none, tampered, confused, unknownKid, user.refreshToken, 'garbage', `${user.accessToken}x`]) {
      const response = await me(bearer(token));
      expect(response.status).toBe(401);
      expectErrorEnvelope(response.body, 'INVALID_TOKEN');
    }
  });

  it('answers an expired token with 401 TOKEN_EXPIRED', async () => {
    const user = await registerUser(t.http());
    const key = t.api.keyRing.activeKey();
    const past = Math.floor(Date.now() / 1000) - 3600;
    const expired = await new SignJWT({ email: user.email, role: 'user', sid: user.sessionId, token_type: 'access' })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
      .setIssuer('pandora-exchange')
      .setAudience('pandora-exchange-api')
      .setSubject(user.id)
      .setJti(randomUUID())
      .setIssuedAt(past - 900)
      .setNotBefore(past - 900)
      .setExpirationTime(past)
      .sign(key.signingKey);
    const response = await me(bearer(expired));
    expect(response.status).toBe(401);
    expectErrorEnvelope(response.body, 'TOKEN_EXPIRED');
  });

  it('rejects a validly signed token whose session belongs to another user', async () => {
    const alice = await registerUser(t.http());
    const bob = await registerUser(t.http());
    const key = t.api.keyRing.activeKey();
    const now = Math.floor(Date.now() / 1000);
    const mixed = await new SignJWT({ email: alice.email, role: 'user', sid: bob.sessionId, token_type: 'access' })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
      .setIssuer('pandora-exchange')
      .setAudience('pandora-exchange-api')
      .setSubject(alice.id)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + 60)
      .sign(key.signingKey);
    expect((await me(bearer(mixed))).status).toBe(401);
  });
});
