import { randomUUID } from 'node:crypto';
import { createTestDatabase, withPgClient, type TestDatabase } from '@pandora/testing';
import { LeaderSession, MAIL_COURIER_LEADER_LOCK_KEY, MailCourierStore, mailQueueStats, PgMailQueue, RELAY_LEADER_LOCK_KEY } from '../src';

/** The courier's session and SQL on real PostgreSQL: its own lease, claims, outcomes and scrubbing. */
let db: TestDatabase;
const sessions: LeaderSession[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
});
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.close()));
  await withPgClient(db.url, (client) => client.query('DELETE FROM mail_messages'));
});
afterAll(async () => {
  await db.drop();
});

async function session(key = MAIL_COURIER_LEADER_LOCK_KEY): Promise<LeaderSession> {
  const opened = await LeaderSession.open({
    url: db.url,
    key,
    applicationName: 'mail-courier-store-tests',
    statementTimeoutMs: 5_000,
    idleSessionTimeoutMs: 60_000,
    onLost: () => undefined,
  });
  sessions.push(opened);
  return opened;
}

async function queue(
  token: string | null = `tok-${randomUUID()}`,
  data: Record<string, string> = { first_name: 'Ada' },
  createdAt = new Date(),
): Promise<string> {
  const id = randomUUID();
  await withPgClient(db.url, (client) =>
    new PgMailQueue(client).enqueue({
      id,
      userId: null,
      template: 'verify_email',
      recipient: `${id.slice(0, 8)}@example.com`,
      data,
      linkToken: token,
      createdAt,
    }),
  );
  return id;
}

async function row(id: string) {
  return withPgClient(db.url, async (client) => {
    const { rows } = await client.query<{
      status: string;
      attempts: number;
      link_token: string | null;
      due_in_ms: number;
      last_error: string | null;
      data: Record<string, string>;
    }>(
      `SELECT status, attempts, link_token, last_error, data, (EXTRACT(EPOCH FROM (next_attempt_at - now())) * 1000)::float8 AS due_in_ms
         FROM mail_messages WHERE id = $1`,
      [id],
    );
    return rows[0];
  });
}

describe('the mail courier lease', () => {
  it('is held by one session at a time and independently of the relay lease', async () => {
    const [first, second, relay] = await Promise.all([session(), session(), session(RELAY_LEADER_LOCK_KEY)]);
    expect(await first?.tryAcquireLease()).toBe(true);
    expect(await second?.tryAcquireLease()).toBe(false);
    expect(await relay?.tryAcquireLease()).toBe(true);
    await first?.close();
    expect(await second?.tryAcquireLease()).toBe(true);
  });
});

describe('the courier store', () => {
  it('hands due messages only to the session that holds the lease', async () => {
    const id = await queue();
    const [leader, standby] = await Promise.all([session(), session()]);
    expect(await new MailCourierStore(standby as LeaderSession).claimDue(10, 60_000)).toEqual([]);
    await leader?.tryAcquireLease();
    const claimed = await new MailCourierStore(leader as LeaderSession).claimDue(10, 60_000);
    expect(claimed.map((mail) => mail.id)).toEqual([id]);
    expect(claimed[0]).toMatchObject({ attempts: 1, template: 'verify_email', data: { first_name: 'Ada' } });
  });

  it('does not hand a claimed message out again until its claim runs out', async () => {
    const id = await queue();
    const leader = await session();
    await leader.tryAcquireLease();
    const store = new MailCourierStore(leader);
    expect(await store.claimDue(10, 60_000)).toHaveLength(1);
    expect(await store.claimDue(10, 60_000)).toEqual([]);
    expect((await row(id))?.due_in_ms).toBeGreaterThan(50_000);
  });

  it('hands out a message queued by a clock that runs ahead of the database at once', async () => {
    const id = await queue(undefined, undefined, new Date(Date.now() + 86_400_000));
    const leader = await session();
    await leader.tryAcquireLease();
    expect((await new MailCourierStore(leader).claimDue(10, 60_000)).map((mail) => mail.id)).toEqual([id]);
  });

  it('claims at most the batch size, oldest due first', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await queue());
    const leader = await session();
    await leader.tryAcquireLease();
    const claimed = await new MailCourierStore(leader).claimDue(2, 60_000);
    expect(claimed.map((mail) => mail.id)).toEqual(ids.slice(0, 2));
  });

  it('scrubs the link token and the anti-phishing code of a message marked sent or abandoned, and keeps both for a retry', async () => {
    const withCode = { first_name: 'Ada', anti_phishing_code: 'Blue42Fox' };
    const [sent, retried, abandoned] = [
      await queue(undefined, withCode),
      await queue(undefined, withCode),
      await queue(undefined, withCode),
    ];
    const leader = await session();
    await leader.tryAcquireLease();
    const store = new MailCourierStore(leader);
    await store.claimDue(10, 60_000);
    expect(await store.markSent(sent)).toBe(true);
    await store.scheduleRetry(retried, 5_000, '451 try again later');
    await store.abandon(abandoned, '550 mailbox unavailable');

    expect(await row(sent)).toMatchObject({ status: 'sent', link_token: null, last_error: null, data: { first_name: 'Ada' } });
    expect(await row(abandoned)).toMatchObject({
      status: 'abandoned',
      link_token: null,
      last_error: '550 mailbox unavailable',
      data: { first_name: 'Ada' },
    });
    const retry = await row(retried);
    expect(retry).toMatchObject({ status: 'pending', last_error: '451 try again later', data: withCode });
    expect(retry?.link_token).toMatch(/^tok-/);
    expect(retry?.due_in_ms).toBeGreaterThan(3_000);
    expect(retry?.due_in_ms).toBeLessThan(6_000);
    // A message already sent is not marked again.
    expect(await store.markSent(sent)).toBe(false);
  });

  it('counts pending messages and the age of the longest-waiting due one', async () => {
    await queue();
    await queue();
    await withPgClient(db.url, (client) => client.query(`UPDATE mail_messages SET next_attempt_at = now() - interval '90 seconds'`));
    const stats = await withPgClient(db.url, (client) => mailQueueStats(client));
    expect(stats.pending).toBe(2);
    expect(stats.oldestDueAgeSeconds).toBeGreaterThanOrEqual(89);
    await withPgClient(db.url, (client) => client.query(`UPDATE mail_messages SET status = 'sent'`));
    expect(await withPgClient(db.url, (client) => mailQueueStats(client))).toEqual({ pending: 0, oldestDueAgeSeconds: 0 });
  });
});
