import { auditLogs, outboxEvents, users } from '@pandora/data-access';
import { authResponseSchema } from '../src/http/schemas/dto.schemas';
import { bearer, expectErrorEnvelope, registerUser, STRONG_PASSWORD, uniqueEmail } from './support/fixtures';
import { startTestUserApi, type TestUserApi } from './support/test-user-api';

let t: TestUserApi;
beforeAll(async () => {
  t = await startTestUserApi();
});
afterAll(() => t.stop());

const valid = () => ({ email: uniqueEmail('reg'), password: STRONG_PASSWORD, first_name: 'Ada', last_name: 'Lovelace' });

describe('POST /api/v1/auth/register', () => {
  it('creates the account, logs it in and answers 201 AuthResponse', async () => {
    const body = { ...valid(), email: '  Grace.Hopper@Example.COM ', first_name: '  Grace ', last_name: 'Hopper' };
    const response = await t.http().post('/api/v1/auth/register').send(body);
    expect(response.status).toBe(201);
    expect(authResponseSchema.safeParse(response.body).success).toBe(true);
    expect(response.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 900,
      user: { email: 'grace.hopper@example.com', first_name: 'Grace', last_name: 'Hopper', role: 'user', kyc_status: 'pending' },
    });
    expect(response.body.refresh_expires_in).toBe(604_800);
    expect(response.body.user).not.toHaveProperty('password_hash');
    const me = await t.http().get('/api/v1/users/me').set(bearer(response.body.access_token));
    expect(me.status).toBe(200);
    expect(me.body).toEqual(response.body.user);
  });

  it('stores the password only as an Argon2id hash', async () => {
    const user = await registerUser(t.http());
    const row = await t.rows.one(users, { id: user.id });
    expect(row.passwordHash).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    expect(row.passwordHash).not.toContain(STRONG_PASSWORD);
  });

  it('writes the audit row and the user.registered outbox event in the same transaction', async () => {
    const user = await registerUser(t.http(), { first_name: 'Katherine', last_name: 'Johnson' });
    const audit = await t.rows.find(auditLogs, { userId: user.id });
    expect(audit).toEqual([
      expect.objectContaining({
        eventType: 'user.registered',
        actorType: 'user',
        status: 'success',
        sessionId: user.sessionId,
        ipAddress: '127.0.0.1',
      }),
    ]);
    const events = await t.rows.find(outboxEvents, { aggregateId: user.id });
    expect(events).toEqual([
      expect.objectContaining({
        eventType: 'user.registered',
        payload: { email: user.email, first_name: 'Katherine', last_name: 'Johnson', role: 'user' },
        metadata: expect.objectContaining({ request_id: expect.any(String), ip_address: '127.0.0.1', actor_id: user.id }),
      }),
    ]);
  });

  it('refuses an email taken by an active account, in any case, with 409', async () => {
    const first = valid();
    await t.http().post('/api/v1/auth/register').send(first).expect(201);
    const again = await t
      .http()
      .post('/api/v1/auth/register')
      .send({ ...valid(), email: first.email.toUpperCase() });
    expect(again.status).toBe(409);
    expectErrorEnvelope(again.body, 'USER_ALREADY_EXISTS');
  });

  it('allows the email of a deleted account to register again as a new account', async () => {
    const first = await registerUser(t.http());
    await t.http().delete('/api/v1/users/me').set(bearer(first.accessToken)).expect(204);
    const second = await t
      .http()
      .post('/api/v1/auth/register')
      .send({ ...valid(), email: first.email });
    expect(second.status).toBe(201);
    expect(second.body.user.id).not.toBe(first.id);
  });

  it('lets exactly one of two concurrent registrations with one email succeed', async () => {
    const body = valid();
    const results = await Promise.all([1, 2, 3].map(() => t.http().post('/api/v1/auth/register').send(body)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
  });

  it.each([
    ['a missing email', { email: undefined }, 'email'],
    ['an invalid email', { email: 'not-an-email' }, 'email'],
    ['an over-long email', { email: `${'a'.repeat(60)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com` }, 'email'],
    ['an empty first name', { first_name: '   ' }, 'first_name'],
    ['a 101-character last name', { last_name: 'x'.repeat(101) }, 'last_name'],
    ['a control character in a name', { first_name: 'Ada\u0007' }, 'first_name'],
    ['a NUL byte in a name', { last_name: 'Love\u0000lace' }, 'last_name'],
    ['a number as a name', { first_name: 42 }, 'first_name'],
    ['an array as the password', { password: ['a', 'b'] }, 'password'],
  ])('answers %s with 400 INVALID_INPUT and the field in details', async (_name, override, field) => {
    const response = await t
      .http()
      .post('/api/v1/auth/register')
      .send({ ...valid(), ...override });
    expect(response.status).toBe(400);
    expectErrorEnvelope(response.body, 'INVALID_INPUT');
    expect(response.body.error.details).toContainEqual({ field, message: expect.any(String) });
  });

  it.each(['role', 'kyc_status', 'id', 'deleted_at', 'is_admin'])('refuses the unknown field %s with 400', async (field) => {
    const response = await t
      .http()
      .post('/api/v1/auth/register')
      .send({ ...valid(), [field]: field === 'role' ? 'admin' : 'verified' });
    expect(response.status).toBe(400);
    expect(response.body.error.details).toContainEqual({ field, message: 'Unknown field.' });
  });

  it.each([
    ['too short', 'Sh0rt!', /at least 8/],
    ['too long', 'x'.repeat(129), /at most 128/],
    ['common', 'password1', /too common/],
    ['the email itself', 'EMAIL', /email/],
  ])('refuses a %s password with 422 WEAK_PASSWORD and a reason', async (_name, password, reason) => {
    const body = valid();
    const response = await t
      .http()
      .post('/api/v1/auth/register')
      .send({ ...body, password: password === 'EMAIL' ? body.email : password });
    expect(response.status).toBe(422);
    expectErrorEnvelope(response.body, 'WEAK_PASSWORD');
    expect(response.body.error.message).toMatch(reason);
  });

  it('accepts a 128-character password and never truncates it', async () => {
    const password = `${'ab1-'.repeat(31)}xyzw`;
    expect(password).toHaveLength(128);
    const user = await registerUser(t.http(), { password });
    expect((await t.http().post('/api/v1/auth/login').send({ email: user.email, password })).status).toBe(200);
    expect(
      (
        await t
          .http()
          .post('/api/v1/auth/login')
          .send({ email: user.email, password: password.slice(0, 127) })
      ).status,
    ).toBe(401);
  });

  it('changes nothing when the request fails', async () => {
    const before = await t.rows.count(users);
    await t
      .http()
      .post('/api/v1/auth/register')
      .send({ ...valid(), password: 'password' })
      .expect(422);
    await t
      .http()
      .post('/api/v1/auth/register')
      .send({ ...valid(), role: 'admin' })
      .expect(400);
    expect(await t.rows.count(users)).toBe(before);
  });
});
