import { randomBytes } from 'node:crypto';
import { bearer, registerUser } from '../support/fixtures';
import { enrol, logInWithTotp, sql, StepClock } from '../support/mfa';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * docs/runbooks/mfa-key-rotation.md, step by step: replicas of user-api on one database with the
 * rings of each rollout. Secrets move to the new key as their owners use them.
 */
const key = (kid: string) => `${kid}:${randomBytes(32).toString('base64')}`;
const OLD = key('2026-01');
const NEW = key('2026-12');
const clock = new StepClock();
const started: TestUserApi[] = [];

async function replica(keys: string, shareWith?: TestUserApi): Promise<TestUserApi> {
  const instance = await startTestUserApi({ clock, env: { MFA_ENCRYPTION_KEYS: keys }, ...(shareWith ? { shareWith } : {}) });
  started.push(instance);
  return instance;
}

afterAll(async () => {
  // The first instance owns the database: stop it last.
  for (const instance of started.reverse()) await instance.stop();
});

it('re-seals secrets under the new first key as they are used, so the old key can be retired', async () => {
  const before = await replica(OLD);
  const active = await registerUser(before.http());
  const idle = await registerUser(before.http());
  const { secret } = await enrol(before.http, active, clock);
  await enrol(before.http, idle, clock);
  clock.nextStep();
  const keyIds = async () =>
    Object.fromEntries(
      (await sql<{ user_id: string; secret_key_id: string }>(before.db.url, 'SELECT user_id, secret_key_id FROM user_mfa')).map((row) => [
        row.user_id,
        row.secret_key_id,
      ]),
    );
  expect(await keyIds()).toEqual({ [active.id]: '2026-01', [idle.id]: '2026-01' });

  // Rollout 1: the new key known but not sealing. Rollout 2: the new key first.
  const introduced = await replica(`${OLD},${NEW}`, before);
  await logInWithTotp(introduced.http, active, secret, clock);
  expect(await keyIds()).toEqual({ [active.id]: '2026-01', [idle.id]: '2026-01' });
  const switched = await replica(`${NEW},${OLD}`, before);
  await logInWithTotp(switched.http, active, secret, clock);
  expect(await keyIds()).toEqual({ [active.id]: '2026-12', [idle.id]: '2026-01' });
  const [recoveryKeys] = await sql(before.db.url, 'SELECT array_agg(DISTINCT key_id) AS kids FROM mfa_recovery_codes WHERE user_id = $1', [
    active.id,
  ]);
  expect(recoveryKeys).toEqual({ kids: ['2026-01'] });

  // Retired: the active user still logs in; the idle one's secret needs the old key (the runbook's query finds them).
  const retired = await replica(NEW, before);
  const session = await logInWithTotp(retired.http, active, secret, clock);
  expect((await retired.http().get('/api/v1/users/me/mfa').set(bearer(session.accessToken))).body).toEqual({
    totp_enabled: true,
    recovery_codes_remaining: 10,
  });
  expect(await sql(retired.db.url, "SELECT user_id FROM user_mfa WHERE secret_key_id <> '2026-12'")).toEqual([{ user_id: idle.id }]);
});
