import { randomUUID } from 'node:crypto';
import { createTestDatabase, createTestRedis, totpAt, type TestDatabase, type TestRedis } from '@pandora/testing';
import { startRelay, startUserApi, type AppProcess, type Infrastructure } from './support/processes';
import { eventually, outboxRows, perUserOrderViolations, readStream, type PublishedEntry } from './support/stream';
import { call, PASSWORD, registerAccount, type CallContext } from './support/user-api-client';
import { createDomain, type Domain } from './support/use-cases';

/**
 * The event catalog end to end: the real user-api process changes state over HTTP, the real relay
 * process publishes, and each event of docs/events.md arrives with its payload and the request's metadata,
 * in commit order for the user.
 */
let db: TestDatabase;
let redis: TestRedis;
let api: AppProcess;
let relay: AppProcess;
let domain: Domain;

beforeAll(async () => {
  db = await createTestDatabase();
  redis = await createTestRedis();
  const infra: Infrastructure = { databaseUrl: db.url, redisUrl: redis.url, redisKeyPrefix: redis.keyPrefix };
  [api, relay] = await Promise.all([startUserApi(infra), startRelay(infra)]);
  domain = await createDomain(db.url);
}, 90_000);
afterAll(async () => {
  await Promise.all([api?.stop(), relay?.stop()]);
  await domain?.close();
  await redis.cleanup();
  await db.drop();
});

const STREAM_KEY = () => `${redis.keyPrefix}user-service:events`;
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function context(requestId: string, extra: Partial<CallContext> = {}): CallContext {
  return { requestId, userAgent: 'pandora-web/7.1', traceparent: TRACEPARENT, ...extra };
}

async function expectOk(response: Promise<{ status: number; body: unknown }>, status: number): Promise<Record<string, unknown>> {
  const result = await response;
  if (result.status !== status) throw new Error(`expected ${status}, got ${result.status}: ${JSON.stringify(result.body)}`);
  return result.body as Record<string, unknown>;
}

function sessionIdOf(accessToken: string): string {
  return JSON.parse(Buffer.from(accessToken.split('.')[1] as string, 'base64url').toString()).sid;
}

describe('events of the public API on the stream', () => {
  it('each state change produces its event with the documented payload and metadata, in commit order', async () => {
    const base = api.url;
    const account = await registerAccount(base, context('req-register'));
    const firstSession = sessionIdOf(account.accessToken);
    const login = await expectOk(
      call(base, 'POST', '/auth/login', { email: account.email, password: PASSWORD }, context('req-login')),
      200,
    );
    const token = login.access_token as string;
    const secondSession = sessionIdOf(token);
    await expectOk(call(base, 'PATCH', '/users/me', { first_name: 'Augusta' }, context('req-profile', { token })), 200);

    // Compliance rejects the application (the admin API arrives separately: its use case here),
    // then the user resubmits it over HTTP.
    const complianceOfficer = randomUUID();
    await domain.useCases.changeKycStatus.execute(
      {
        userId: account.id,
        status: 'rejected',
        as: 'admin',
        actor: { type: 'admin', id: complianceOfficer, identifier: 'compliance@pandora.exchange' },
      },
      { requestId: 'req-kyc-reject', ipAddress: '10.1.2.3', userAgent: 'back-office/2.0', traceparent: null },
    );
    await expectOk(call(base, 'PATCH', '/users/me/kyc', { kyc_status: 'pending' }, context('req-kyc-resubmit', { token })), 200);

    await expectOk(
      call(
        base,
        'POST',
        '/users/me/password',
        { current_password: PASSWORD, new_password: 'an even longer passphrase 2' },
        context('req-password', { token }),
      ),
      204,
    );
    await expectOk(call(base, 'POST', '/users/me/logout', undefined, context('req-logout', { token })), 204);
    const again = await expectOk(
      call(base, 'POST', '/auth/login', { email: account.email, password: 'an even longer passphrase 2' }, context('req-login-2')),
      200,
    );
    const thirdSession = sessionIdOf(again.access_token as string);
    await expectOk(call(base, 'DELETE', '/users/me', undefined, context('req-delete', { token: again.access_token as string })), 204);

    const events = await eventually(async () => {
      const found = (await readStream(redis.raw, STREAM_KEY())).filter((entry) => entry.userId === account.id);
      return found.length >= 11 && found;
    }, 'all eleven events of the user');

    const http = (requestId: string) => ({
      request_id: requestId,
      ip_address: '127.0.0.1',
      user_agent: 'pandora-web/7.1',
      traceparent: TRACEPARENT,
      actor_id: account.id,
      actor_type: 'user',
    });
    const summary = events.map((entry: PublishedEntry) => ({ type: entry.eventType, payload: entry.payload, metadata: entry.metadata }));
    expect(summary).toEqual([
      {
        type: 'user.registered',
        payload: { email: account.email, first_name: 'Ada', last_name: 'Lovelace', role: 'user' },
        metadata: http('req-register'),
      },
      { type: 'user.logged_in', payload: { email: account.email }, metadata: http('req-login') },
      {
        type: 'user.profile.updated',
        payload: { email: account.email, first_name: 'Augusta', last_name: 'Lovelace' },
        metadata: http('req-profile'),
      },
      {
        type: 'user.kyc.updated',
        payload: { email: account.email, kyc_status: 'rejected', old_status: 'pending' },
        metadata: {
          request_id: 'req-kyc-reject',
          ip_address: '10.1.2.3',
          user_agent: 'back-office/2.0',
          actor_id: complianceOfficer,
          actor_type: 'admin',
        },
      },
      {
        type: 'user.kyc.updated',
        payload: { email: account.email, kyc_status: 'pending', old_status: 'rejected' },
        metadata: http('req-kyc-resubmit'),
      },
      { type: 'user.password.changed', payload: { email: account.email }, metadata: http('req-password') },
      { type: 'session.revoked', payload: { session_ids: [firstSession], reason: 'password_changed' }, metadata: http('req-password') },
      { type: 'session.revoked', payload: { session_ids: [secondSession], reason: 'logout' }, metadata: http('req-logout') },
      { type: 'user.logged_in', payload: { email: account.email }, metadata: http('req-login-2') },
      {
        type: 'user.deleted',
        payload: { email: account.email, deleted_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) },
        metadata: http('req-delete'),
      },
      { type: 'session.revoked', payload: { session_ids: [thirdSession], reason: 'account_deleted' }, metadata: http('req-delete') },
    ]);

    // Every event: the outbox row id as event_id, the change's time as timestamp, in seq order.
    const rows = (await outboxRows(db.url)).filter((row) => row.aggregateId === account.id);
    expect(events.map((entry) => entry.eventId)).toEqual(rows.map((row) => row.id));
    for (const entry of events) expect(entry.fields.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(perUserOrderViolations(events, rows)).toEqual([]);
  }, 60_000);

  it('announces MFA turned on and off (user.mfa.enabled, user.mfa.disabled) with the request metadata', async () => {
    const base = api.url;
    const account = await registerAccount(base, context('req-mfa-register'));
    const token = account.accessToken;
    const setup = await expectOk(
      call(base, 'POST', '/users/me/mfa/totp/setup', { password: PASSWORD }, context('req-mfa-setup', { token })),
      200,
    );
    // The process runs on the real clock; ±1 step makes a code computed now good whatever the rollover.
    const confirmed = await expectOk(
      call(
        base,
        'POST',
        '/users/me/mfa/totp/confirm',
        { code: totpAt(setup.secret as string, Date.now()) },
        context('req-mfa-on', { token }),
      ),
      200,
    );
    // A recovery code for the second factor: a TOTP code of the same step would be a replay.
    const recoveryCode = (confirmed.recovery_codes as string[])[0] as string;
    await expectOk(
      call(base, 'DELETE', '/users/me/mfa', { password: PASSWORD, code: recoveryCode }, context('req-mfa-off', { token })),
      204,
    );

    const events = await eventually(async () => {
      const found = (await readStream(redis.raw, STREAM_KEY())).filter(
        (entry) => entry.userId === account.id && entry.eventType.startsWith('user.mfa'),
      );
      return found.length >= 2 && found;
    }, 'the MFA events of the user');
    const metadata = (requestId: string) => ({
      request_id: requestId,
      ip_address: '127.0.0.1',
      user_agent: 'pandora-web/7.1',
      traceparent: TRACEPARENT,
      actor_id: account.id,
      actor_type: 'user',
    });
    expect(events.map((entry: PublishedEntry) => ({ type: entry.eventType, payload: entry.payload, metadata: entry.metadata }))).toEqual([
      { type: 'user.mfa.enabled', payload: { email: account.email }, metadata: metadata('req-mfa-on') },
      { type: 'user.mfa.disabled', payload: { email: account.email, reason: 'user' }, metadata: metadata('req-mfa-off') },
    ]);
  }, 60_000);
});
