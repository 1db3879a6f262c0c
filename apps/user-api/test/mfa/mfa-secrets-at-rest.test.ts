import { bearer, registerUser } from '../support/fixtures';
import { enrol, logInWithTotp, sql, StepClock } from '../support/mfa';
import { base32Decode } from '@pandora/testing';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * No TOTP secret and no recovery code in clear anywhere in the database: after every MFA flow has
 * run, every text, bytea, json and array column of every table is searched for them.
 */
let t: TestUserApi;
const clock = new StepClock();

beforeAll(async () => {
  t = await startTestUserApi({ clock });
});
afterAll(() => t.stop());

interface Column {
  table_name: string;
  column_name: string;
  data_type: string;
}

async function columnsToSearch(): Promise<Column[]> {
  return sql<Column & Record<string, unknown>>(
    t.db.url,
    `SELECT c.table_name, c.column_name, c.data_type
       FROM information_schema.columns c JOIN information_schema.tables tb USING (table_schema, table_name)
      WHERE c.table_schema = 'public' AND tb.table_type = 'BASE TABLE'
        AND c.data_type IN ('text', 'character varying', 'character', 'bytea', 'jsonb', 'json', 'ARRAY')
      ORDER BY 1, 2`,
  );
}

/** Where `needles` (text) and `rawNeedles` (bytes) occur: "table.column" for each hit. */
async function occurrences(needles: string[], rawNeedles: Buffer[]): Promise<string[]> {
  const hits: string[] = [];
  for (const column of await columnsToSearch()) {
    const name = `"${column.table_name}"."${column.column_name}"`;
    const query =
      column.data_type === 'bytea'
        ? `SELECT count(*)::int AS n FROM "${column.table_name}" WHERE EXISTS (SELECT 1 FROM unnest($1::bytea[]) AS needle WHERE position(needle IN ${name}) > 0)`
        : `SELECT count(*)::int AS n FROM "${column.table_name}" WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) AS needle WHERE strpos(upper(${name}::text), upper(needle)) > 0)`;
    const values = column.data_type === 'bytea' ? [[...rawNeedles, ...needles.map((needle) => Buffer.from(needle, 'utf8'))]] : [needles];
    const [row] = await sql<{ n: number }>(t.db.url, query, values);
    if ((row?.n ?? 0) > 0) hits.push(`${column.table_name}.${column.column_name}`);
  }
  return hits;
}

it('keeps no TOTP secret (base32 or raw) and no recovery code in clear in any column of any table', async () => {
  const user = await registerUser(t.http());
  const { secret, recoveryCodes, otpauthUrl } = await enrol(t.http, user, clock);
  clock.nextStep();
  const session = await logInWithTotp(t.http, user, secret, clock);
  const regenerated = await t
    .http()
    .post('/api/v1/users/me/mfa/recovery-codes')
    .set(bearer(session.accessToken))
    .send({ code: clock.code(secret) });
  expect(regenerated.status).toBe(200);
  clock.nextStep();
  // A pending secret too: another user's setup that was never confirmed.
  const pendingUser = await registerUser(t.http());
  const pending = await t
    .http()
    .post('/api/v1/users/me/mfa/totp/setup')
    .set(bearer(pendingUser.accessToken))
    .send({ password: pendingUser.password });
  expect(pending.status).toBe(200);
  // And a recovery code used for a login, plus a failed attempt with one.
  const challenge = await t.http().post('/api/v1/auth/login').send({ email: user.email, password: user.password });
  expect(
    (await t.http().post('/api/v1/auth/mfa/verify').send({ mfa_token: challenge.body.mfa_token, code: recoveryCodes[0] })).status,
  ).toBe(401);
  expect(
    (await t.http().post('/api/v1/auth/mfa/verify').send({ mfa_token: challenge.body.mfa_token, code: regenerated.body.recovery_codes[0] }))
      .status,
  ).toBe(200);

  const secrets = [secret, pending.body.secret as string];
  const raw = secrets.map(base32Decode);
  const codes = [...recoveryCodes, ...(regenerated.body.recovery_codes as string[])];
  const needles = [
    ...secrets,
    ...raw.flatMap((bytes) => [bytes.toString('hex'), bytes.toString('base64'), bytes.toString('base64url')]),
    ...codes,
    ...codes.map((code) => code.replace('-', '')),
    otpauthUrl,
    challenge.body.mfa_token as string,
  ];

  // The search itself works: the secret is found where it is planted on purpose.
  await sql(t.db.url, 'CREATE TABLE scan_probe (note text, blob bytea)');
  await sql(t.db.url, 'INSERT INTO scan_probe VALUES ($1, $2)', [
    `x${secret.toLowerCase()}x`,
    Buffer.concat([Buffer.from('x'), raw[0] as Buffer]),
  ]);
  expect(await occurrences(needles, raw)).toEqual(['scan_probe.blob', 'scan_probe.note']);
  await sql(t.db.url, 'DROP TABLE scan_probe');

  expect(await occurrences(needles, raw)).toEqual([]);
  // The MFA tables were really searched.
  expect((await columnsToSearch()).map((column) => `${column.table_name}.${column.column_name}`)).toEqual(
    expect.arrayContaining([
      'user_mfa.secret_ciphertext',
      'user_mfa.pending_ciphertext',
      'mfa_recovery_codes.code_hash',
      'mfa_challenges.token_hash',
      'audit_logs.metadata',
      'outbox_events.payload',
    ]),
  );
});

it('writes no secret, recovery code or challenge token to the logs', async () => {
  const user = await registerUser(t.http());
  const { secret, recoveryCodes } = await enrol(t.http, user, clock);
  clock.nextStep();
  await logInWithTotp(t.http, user, secret, clock);
  const logs = t.rawLogs().toUpperCase();
  for (const needle of [secret, ...recoveryCodes]) expect(logs).not.toContain(needle.toUpperCase());
});
