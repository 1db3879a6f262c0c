import {
  createTestDatabase,
  createTestRedis,
  eventually,
  linkInMail,
  TestSmtpServer,
  type TestDatabase,
  type TestRedis,
} from '@pandora/testing';
import { startInProcessRelay, type InProcessRelay } from './support/in-process-relay';
import type { Infrastructure } from './support/processes';
import { mailRow, queueMail } from './support/mail';

/**
 * The mail courier in-process against real PostgreSQL and a real SMTP server: delivery, refusals,
 * an SMTP outage, abandonment and the scrubbing of tokens. Replicas and kill -9 are in
 * mail-courier-processes.test.ts.
 */
let db: TestDatabase;
let redis: TestRedis;
let infra: Infrastructure;
let smtp: TestSmtpServer;
let relay: InProcessRelay | null = null;

beforeAll(async () => {
  db = await createTestDatabase();
  redis = await createTestRedis();
  infra = { databaseUrl: db.url, redisUrl: redis.url, redisKeyPrefix: redis.keyPrefix };
  smtp = await TestSmtpServer.start();
});
afterEach(async () => {
  await relay?.stop();
  relay = null;
  smtp.accept();
  await smtp.start();
});
afterAll(async () => {
  await smtp.stop();
  await redis.cleanup();
  await db.drop();
});

const WEB = 'https://exchange.test';

async function start(env: Record<string, string> = {}): Promise<InProcessRelay> {
  relay = await startInProcessRelay(infra, {
    SMTP_URL: smtp.url,
    PUBLIC_WEB_URL: WEB,
    MAIL_POLL_INTERVAL: '50ms',
    MAIL_RETRY_BASE: '100ms',
    MAIL_RETRY_MAX: '200ms',
    MAIL_SEND_TIMEOUT: '2s',
    MAIL_MAX_ATTEMPTS: '3',
    ...env,
  });
  return relay;
}

async function metrics(): Promise<string> {
  return (await fetch(`${relay?.url}/metrics`)).text();
}

describe('the mail courier', () => {
  it('delivers a queued mail with its link in both parts and then scrubs the token', async () => {
    await start();
    const queued = await queueMail(db.url, { template: 'verify_email' });
    const mail = await smtp.waitForMail(queued.recipient);

    expect(mail.subject).toBe('Confirm your email address');
    expect(mail.from).toBe('no-reply@pandora.local');
    expect(linkInMail(mail, '/verify-email')).toEqual({ url: `${WEB}/verify-email?token=${queued.token}`, token: queued.token });
    expect(mail.html).toContain(`href="${WEB}/verify-email?token=${queued.token}"`);
    expect(mail.messageId).toBe(`<${queued.id}@pandora.local>`);

    const row = await eventually(async () => {
      const current = await mailRow(db.url, queued.id);
      return current.status === 'sent' && current;
    }, 'the message marked sent');
    expect(row).toMatchObject({ attempts: 1, linkToken: null, lastError: null });
    expect(row.sentAt).toBeInstanceOf(Date);
    expect(await metrics()).toMatch(/^mail_messages_total\{template="verify_email",result="sent"\} 1$/m);
  });

  it('retries a mail the server refused with 4xx and delivers it once the server accepts', async () => {
    smtp.refuse(451);
    await start({ MAIL_MAX_ATTEMPTS: '50' });
    const queued = await queueMail(db.url, { template: 'password_reset' });
    await eventually(async () => {
      const row = await mailRow(db.url, queued.id);
      return row.status === 'pending' && row.attempts >= 2 && row.lastError?.includes('451');
    }, 'two refused attempts');
    expect(smtp.mailsTo(queued.recipient)).toEqual([]);

    smtp.accept();
    const mail = await smtp.waitForMail(queued.recipient);
    expect(linkInMail(mail, '/reset-password').token).toBe(queued.token);
    const row = await eventually(async () => {
      const current = await mailRow(db.url, queued.id);
      return current.status === 'sent' && current;
    }, 'the message marked sent');
    expect(row.linkToken).toBeNull();
    expect(await metrics()).toMatch(/^mail_messages_total\{template="password_reset",result="retried"\} [1-9]\d*$/m);
  });

  it('abandons a mail the server keeps refusing with 5xx after MAIL_MAX_ATTEMPTS and scrubs its token', async () => {
    smtp.refuse(550);
    await start();
    const queued = await queueMail(db.url, { template: 'email_change_confirm' });
    const row = await eventually(async () => {
      const current = await mailRow(db.url, queued.id);
      return current.status === 'abandoned' && current;
    }, 'the message abandoned');

    expect(row).toMatchObject({ attempts: 3, linkToken: null });
    expect(row.lastError).toContain('550');
    expect(row.abandonedAt).toBeInstanceOf(Date);
    expect(smtp.mailsTo(queued.recipient)).toEqual([]);
    const text = await metrics();
    expect(text).toMatch(/^mail_messages_total\{template="email_change_confirm",result="abandoned"\} 1$/m);
    expect(text).toMatch(/^mail_messages_total\{template="email_change_confirm",result="retried"\} 2$/m);
    expect(text).toMatch(/^mail_delivery_attempts_count\{result="abandoned"\} 1$/m);
  });

  it('loses nothing while the SMTP server is down and delivers every mail once it is back', async () => {
    await smtp.stop();
    await start({ MAIL_MAX_ATTEMPTS: '50' });
    const queued = await Promise.all(Array.from({ length: 5 }, () => queueMail(db.url, { template: 'verify_email' })));
    await eventually(async () => {
      const rows = await Promise.all(queued.map((mail) => mailRow(db.url, mail.id)));
      return rows.every((row) => row.status === 'pending' && row.attempts >= 2 && row.lastError !== null);
    }, 'every message tried while the server is down');
    expect(await metrics()).toMatch(/^mail_queue_pending [1-9]\d*$/m);

    await smtp.start();
    for (const mail of queued) await smtp.waitForMail(mail.recipient);
    await eventually(async () => {
      const rows = await Promise.all(queued.map((mail) => mailRow(db.url, mail.id)));
      return rows.every((row) => row.status === 'sent' && row.linkToken === null);
    }, 'every message marked sent');
    // The server was unreachable, so no attempt before it came back can have delivered anything.
    for (const mail of queued) expect(smtp.mailsTo(mail.recipient)).toHaveLength(1);
  });

  it('cuts an attempt the server does not answer at MAIL_SEND_TIMEOUT and delivers the mail once the server answers', async () => {
    smtp.holdData();
    await start({ MAIL_SEND_TIMEOUT: '300ms', MAIL_MAX_ATTEMPTS: '50' });
    const queued = await queueMail(db.url, { template: 'new_device_login', token: null });
    await eventually(async () => {
      const row = await mailRow(db.url, queued.id);
      return row.status === 'pending' && row.attempts >= 2 && row.lastError?.includes('no answer within 300 ms');
    }, 'two attempts cut by the send timeout');

    // The held messages were never answered: as far as anyone knows they did not go out.
    smtp.dropHeld();
    const mail = await smtp.waitForMail(queued.recipient);
    expect(mail.subject).toBe('New sign-in to your account');
    await eventually(async () => (await mailRow(db.url, queued.id)).status === 'sent', 'the message marked sent');
  });

  it('reports that it holds the courier lease', async () => {
    await start();
    await eventually(async () => /^mail_courier_leader 1$/m.test(await metrics()), 'the courier to lead');
    expect(relay?.app.courier.currentRole()).toBe('leader');
  });
});
