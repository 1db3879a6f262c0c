import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { Clock } from '@pandora/domain';
import { AppError } from '@pandora/errors';
import { base64url, jwtVerify, SignJWT } from 'jose';
import { JwtAccessTokenService } from './jwt-access-token.service';
import { KeyRing } from './key-ring';
import { OpaqueRefreshTokenService } from './opaque-refresh-token.service';

const settings = { issuer: 'pandora-exchange', audience: 'pandora-exchange-api', ttlMs: 15 * 60_000 };
const authTime = new Date('2026-11-20T11:58:00Z');
const subject = {
  userId: randomUUID(),
  email: 'ada@example.com',
  role: 'user' as const,
  sessionId: randomUUID(),
  authentication: { amr: ['pwd' as const], aal: 1 as const, authTime },
};

function pem(alg: 'ES256' | 'EdDSA') {
  const pair = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  return {
    privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

class FakeClock implements Clock {
  constructor(public current = new Date('2026-11-20T12:00:00Z')) {}
  now() {
    return new Date(this.current);
  }
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'NO_ERROR';
  } catch (error) {
    return error instanceof AppError ? error.code : `UNEXPECTED:${String(error)}`;
  }
}

describe('JWT access tokens', () => {
  const active = pem('ES256');
  let ring: KeyRing;
  let clock: FakeClock;
  let service: JwtAccessTokenService;

  beforeEach(async () => {
    ring = await KeyRing.fromConfig([{ kid: 'k-active', alg: 'ES256', status: 'active', private_key: active.privateKey }]);
    clock = new FakeClock();
    service = new JwtAccessTokenService(ring, settings, clock);
  });

  it('issues a token with every documented claim and a kid that is published in the JWKS', async () => {
    const { token, expiresInSeconds } = await service.issue(subject);
    expect(expiresInSeconds).toBe(900);
    const [headerPart, payloadPart] = token.split('.');
    const header = JSON.parse(Buffer.from(headerPart as string, 'base64url').toString());
    const payload = JSON.parse(Buffer.from(payloadPart as string, 'base64url').toString());
    expect(header).toEqual({ alg: 'ES256', kid: 'k-active', typ: 'at+jwt' });
    expect(payload).toEqual({
      iss: 'pandora-exchange',
      aud: 'pandora-exchange-api',
      sub: subject.userId,
      email: subject.email,
      role: 'user',
      sid: subject.sessionId,
      token_type: 'access',
      amr: ['pwd'],
      aal: 1,
      auth_time: authTime.getTime() / 1000,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      iat: payload.iat,
      nbf: payload.iat,
      exp: payload.iat + 900,
    });
    expect(ring.jwks().keys).toEqual([expect.objectContaining({ kid: 'k-active', kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' })]);
    expect(ring.jwks().keys[0]).not.toHaveProperty('d');
    await expect(service.verify(token)).resolves.toMatchObject({ sub: subject.userId, sid: subject.sessionId, role: 'user' });
  });

  it('writes the same header and claims, byte for byte, as jose SignJWT did, with a signature jose verifies, for each algorithm', async () => {
    const rings = {
      ES256: await KeyRing.fromConfig([{ kid: 'k-es', alg: 'ES256', status: 'active', private_key: active.privateKey }]),
      EdDSA: await KeyRing.fromConfig([{ kid: 'k-ed', alg: 'EdDSA', status: 'active', private_key: pem('EdDSA').privateKey }]),
      HS256: await KeyRing.fromConfig([{ kid: 'k-hs', alg: 'HS256', status: 'active', secret: 's'.repeat(64) }]),
    };
    for (const [alg, keyRing] of Object.entries(rings)) {
      const key = keyRing.activeKey();
      const { token } = await new JwtAccessTokenService(keyRing, settings, clock).issue(subject);
      const [header, payload, signature] = token.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { jti: string; iat: number };
      // What the service signed with jose until 2026-12 (same inputs, the jti and time taken from ours).
      const byJose = await new SignJWT({
        email: subject.email,
        role: subject.role,
        sid: subject.sessionId,
        token_type: 'access',
        amr: ['pwd'],
        aal: 1,
        auth_time: authTime.getTime() / 1000,
      })
        .setProtectedHeader({ alg, kid: key.kid, typ: 'at+jwt' })
        .setIssuer(settings.issuer)
        .setAudience(settings.audience)
        .setSubject(subject.userId)
        .setJti(claims.jti)
        .setIssuedAt(claims.iat)
        .setNotBefore(claims.iat)
        .setExpirationTime(claims.iat + 900)
        .sign(key.signingKey);
      expect(`${header}.${payload}`).toBe(byJose.split('.').slice(0, 2).join('.'));
      // ES256 signatures are r‖s (64 bytes), as JWS requires, not DER.
      if (alg === 'ES256') expect(Buffer.from(signature, 'base64url')).toHaveLength(64);
      await expect(jwtVerify(token, key.verificationKey, { algorithms: [alg], currentDate: clock.now() })).resolves.toBeDefined();
    }
  });

  it('states a second-factor login in amr, aal and auth_time', async () => {
    const { token } = await service.issue({ ...subject, authentication: { amr: ['pwd', 'otp'], aal: 2, authTime } });
    await expect(service.verify(token)).resolves.toMatchObject({ amr: ['pwd', 'otp'], aal: 2, auth_time: authTime.getTime() / 1000 });
  });

  it('rejects alg:none', async () => {
    const { token } = await service.issue(subject);
    const [, payload] = token.split('.');
    const header = base64url.encode(JSON.stringify({ alg: 'none', kid: 'k-active', typ: 'at+jwt' }));
    expect(await codeOf(service.verify(`${header}.${payload}.`))).toBe('INVALID_TOKEN');
  });

  it('rejects a tampered payload', async () => {
    const { token } = await service.issue(subject);
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload as string, 'base64url').toString());
    const forged = base64url.encode(JSON.stringify({ ...claims, role: 'admin' }));
    expect(await codeOf(service.verify(`${header}.${forged}.${signature}`))).toBe('INVALID_TOKEN');
  });

  it('rejects algorithm confusion: HS256 signed with the public key as the secret', async () => {
    const { token } = await service.issue(subject);
    const claims = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString());
    for (const secret of [active.publicKey, JSON.stringify(ring.jwks().keys[0])]) {
      const forged = await new SignJWT({ ...claims, role: 'admin' })
        .setProtectedHeader({ alg: 'HS256', kid: 'k-active', typ: 'at+jwt' })
        .sign(new TextEncoder().encode(secret));
      expect(await codeOf(service.verify(forged))).toBe('INVALID_TOKEN');
    }
  });

  it('rejects a token signed by a key outside the ring, or with an unknown or missing kid', async () => {
    const stranger = await KeyRing.fromConfig([{ kid: 'k-active', alg: 'ES256', status: 'active', private_key: pem('ES256').privateKey }]);
    const { token } = await new JwtAccessTokenService(stranger, settings, clock).issue(subject);
    expect(await codeOf(service.verify(token))).toBe('INVALID_TOKEN');

    const unknownKid = await KeyRing.fromConfig([{ kid: 'k-unknown', alg: 'ES256', status: 'active', private_key: active.privateKey }]);
    expect(await codeOf(service.verify((await new JwtAccessTokenService(unknownKid, settings, clock).issue(subject)).token))).toBe(
      'INVALID_TOKEN',
    );

    const withoutKid = await new SignJWT({ token_type: 'access' }).setProtectedHeader({ alg: 'HS256' }).sign(new Uint8Array(32));
    expect(await codeOf(service.verify(withoutKid))).toBe('INVALID_TOKEN');
  });

  it('answers TOKEN_EXPIRED after exp (with 5 s leeway) and not before', async () => {
    const { token } = await service.issue(subject);
    clock.current = new Date(clock.current.getTime() + 900_000 + 4_000);
    await expect(service.verify(token)).resolves.toBeDefined();
    clock.current = new Date(clock.current.getTime() + 2_000);
    expect(await codeOf(service.verify(token))).toBe('TOKEN_EXPIRED');
  });

  it('remembers a verified token by its exact text only: forgeries of it are still refused', async () => {
    const { token } = await service.issue(subject);
    await expect(service.verify(token)).resolves.toMatchObject({ sub: subject.userId });
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload as string, 'base64url').toString());
    const forged = `${header}.${base64url.encode(JSON.stringify({ ...claims, role: 'admin' }))}.${signature}`;
    expect(await codeOf(service.verify(forged))).toBe('INVALID_TOKEN');
    expect(await codeOf(service.verify(`${token}x`))).toBe('INVALID_TOKEN');
    const again = await service.verify(token);
    expect(again).toEqual({
      sub: subject.userId,
      sid: subject.sessionId,
      email: subject.email,
      role: 'user',
      jti: claims.jti,
      iat: claims.iat,
      exp: claims.exp,
      amr: ['pwd'],
      aal: 1,
      auth_time: claims.auth_time,
    });
    again.role = 'admin';
    again.amr?.push('otp');
    await expect(service.verify(token)).resolves.toMatchObject({ role: 'user', amr: ['pwd'] });
  });

  it('applies nbf to a remembered token like to a fresh one when the clock moves back', async () => {
    const { token } = await service.issue(subject);
    await expect(service.verify(token)).resolves.toBeDefined();
    const issuedAt = clock.current.getTime();
    clock.current = new Date(issuedAt - 5_000);
    await expect(service.verify(token)).resolves.toBeDefined();
    clock.current = new Date(issuedAt - 7_000);
    expect(await codeOf(service.verify(token))).toBe('INVALID_TOKEN');
    expect(await codeOf(new JwtAccessTokenService(ring, settings, clock).verify(token))).toBe('INVALID_TOKEN');
  });

  it('rejects the wrong issuer, audience or token type', async () => {
    const other = (overrides: Partial<typeof settings>) => new JwtAccessTokenService(ring, { ...settings, ...overrides }, clock);
    expect(await codeOf(service.verify((await other({ issuer: 'evil' }).issue(subject)).token))).toBe('INVALID_TOKEN');
    expect(await codeOf(service.verify((await other({ audience: 'other-api' }).issue(subject)).token))).toBe('INVALID_TOKEN');
    const key = ring.activeKey();
    const now = Math.floor(clock.now().getTime() / 1000);
    const idToken = await new SignJWT({ sid: subject.sessionId, email: 'a@b.com', role: 'user', token_type: 'refresh' })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'at+jwt' })
      .setIssuer(settings.issuer)
      .setAudience(settings.audience)
      .setSubject(subject.userId)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + 60)
      .sign(key.signingKey);
    expect(await codeOf(service.verify(idToken))).toBe('INVALID_TOKEN');
  });

  it('rejects a refresh token presented as a bearer token, and garbage', async () => {
    const { token } = new OpaqueRefreshTokenService().generate();
    for (const candidate of [token, '', 'a.b.c', 'x'.repeat(5000), '....', 'eyJ.eyJ.sig']) {
      expect(await codeOf(service.verify(candidate))).toBe('INVALID_TOKEN');
    }
  });

  it('keeps verifying grace keys after a rotation and forgets retired ones', async () => {
    const old = pem('EdDSA');
    const oldRing = await KeyRing.fromConfig([{ kid: 'k-old', alg: 'EdDSA', status: 'active', private_key: old.privateKey }]);
    const { token } = await new JwtAccessTokenService(oldRing, settings, clock).issue(subject);

    const rotated = await KeyRing.fromConfig([
      { kid: 'k-new', alg: 'ES256', status: 'active', private_key: active.privateKey },
      { kid: 'k-old', alg: 'EdDSA', status: 'grace', public_key: old.publicKey },
    ]);
    const afterRotation = new JwtAccessTokenService(rotated, settings, clock);
    await expect(afterRotation.verify(token)).resolves.toMatchObject({ sub: subject.userId });
    expect((await afterRotation.issue(subject)).token.split('.')[0]).toBe(
      base64url.encode(JSON.stringify({ alg: 'ES256', kid: 'k-new', typ: 'at+jwt' })),
    );
    expect(
      rotated
        .jwks()
        .keys.map((key) => key.kid)
        .sort(),
    ).toEqual(['k-new', 'k-old']);

    const retired = await KeyRing.fromConfig([
      { kid: 'k-new', alg: 'ES256', status: 'active', private_key: active.privateKey },
      { kid: 'k-old', alg: 'EdDSA', status: 'retired', public_key: old.publicKey },
    ]);
    expect(await codeOf(new JwtAccessTokenService(retired, settings, clock).verify(token))).toBe('INVALID_TOKEN');
  });

  it('signs with an explicitly configured HS256 key and never publishes it', async () => {
    const hsRing = await KeyRing.fromConfig([{ kid: 'hs', alg: 'HS256', status: 'active', secret: 's'.repeat(64) }]);
    const hs = new JwtAccessTokenService(hsRing, settings, clock);
    await expect(hs.verify((await hs.issue(subject)).token)).resolves.toBeDefined();
    expect(hsRing.jwks()).toEqual({ keys: [] });
  });

  it('refuses a PEM that does not match the declared algorithm', async () => {
    await expect(
      KeyRing.fromConfig([{ kid: 'bad', alg: 'ES256', status: 'active', private_key: pem('EdDSA').privateKey }]),
    ).rejects.toThrow(/not a valid ES256/);
  });
});
