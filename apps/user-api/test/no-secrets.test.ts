import { auditLogs, outboxEvents, users } from '@pandora/data-access';
import { bearer, logIn, registerUser } from './support/fixtures';
import { startTestUserApi, type TestUserApi } from './support/test-user-api';

/**
 * Secrets never leave through a side channel: after a run through every flow, no password,
 * refresh token, access token or password hash appears in the captured log lines, the audit rows
 * or the outbox events.
 */
let t: TestUserApi;
beforeAll(async () => {
  t = await startTestUserApi({ env: { LOG_LEVEL: 'debug' } });
});
afterAll(() => t.stop());

it('keeps passwords, tokens and hashes out of logs, audit rows and events', async () => {
  const password = 'Secret-Passphrase-Alpha-42';
  const newPassword = 'Secret-Passphrase-Omega-43';
  const user = await registerUser(t.http(), { password });
  const second = await logIn(t.http(), user.email, password);
  await t.http().post('/api/v1/auth/login').send({ email: user.email, password: 'Secret-Wrong-Guess-44' }).expect(401);
  const refreshed = await t.http().post('/api/v1/auth/refresh').send({ refresh_token: second.refreshToken }).expect(200);
  await t.http().post('/api/v1/auth/refresh').send({ refresh_token: second.refreshToken }).expect(401);
  await t.http().patch('/api/v1/users/me').set(bearer(user.accessToken)).send({ first_name: 'Changed' }).expect(200);
  await t
    .http()
    .post('/api/v1/users/me/password')
    .set(bearer(user.accessToken))
    .send({ current_password: 'Secret-Wrong-Guess-45', new_password: newPassword })
    .expect(401);
  await t
    .http()
    .post('/api/v1/users/me/password')
    .set(bearer(user.accessToken))
    .send({ current_password: password, new_password: newPassword })
    .expect(204);
  await t.http().post('/api/v1/users/me/logout').set(bearer(user.accessToken)).send({ refresh_token: user.refreshToken }).expect(204);
  // A failing request whose body is logged on purpose by nobody: still nothing may leak.
  await t.http().post('/api/v1/auth/register').send({ email: 'bad', password, first_name: 'x', last_name: 'y' }).expect(400);

  const hashes = (await t.rows.find(users)).map((row) => row.passwordHash);
  const secrets = [
    password,
    newPassword,
    'Secret-Wrong-Guess-44',
    'Secret-Wrong-Guess-45',
    user.refreshToken,
    second.refreshToken,
    refreshed.body.refresh_token,
    user.accessToken,
    second.accessToken,
    refreshed.body.access_token,
    ...hashes,
  ];
  const audit = JSON.stringify(await t.rows.find(auditLogs));
  const outbox = JSON.stringify(await t.rows.find(outboxEvents));
  const logs = t.rawLogs();
  expect(logs.length).toBeGreaterThan(1000);
  for (const secret of secrets) {
    expect(logs).not.toContain(secret);
    expect(audit).not.toContain(secret);
    expect(outbox).not.toContain(secret);
  }
  expect(logs).not.toMatch(/\$argon2id\$/);
  expect(audit).not.toMatch(/\$argon2id\$|rt_[A-Za-z0-9_-]{43}|eyJ[A-Za-z0-9_-]+\.eyJ/);
  expect(outbox).not.toMatch(/\$argon2id\$|rt_[A-Za-z0-9_-]{43}|eyJ[A-Za-z0-9_-]+\.eyJ/);
});
