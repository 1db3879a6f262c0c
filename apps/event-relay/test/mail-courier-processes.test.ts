import { createTestDatabase, createTestRedis, eventually, TestSmtpServer, type TestDatabase, type TestRedis } from '@pandora/testing';
import { metricValue, startRelay, type AppProcess, type Infrastructure } from './support/processes';
import { mailRow, queueMail } from './support/mail';

/**
 * The courier as real relay processes: with two replicas exactly one delivers, and a relay
 * killed with SIGKILL in the middle of a send leaves the mail to the next one (at least once).
 */
let db: TestDatabase;
let redis: TestRedis;
let infra: Infrastructure;
let smtp: TestSmtpServer;
const relays: AppProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  redis = await createTestRedis();
  infra = { databaseUrl: db.url, redisUrl: redis.url, redisKeyPrefix: redis.keyPrefix };
  smtp = await TestSmtpServer.start();
});
afterEach(async () => {
  await Promise.all(relays.splice(0).map((relay) => relay.stop('SIGKILL')));
  smtp.release();
});
afterAll(async () => {
  await smtp.stop();
  await redis.cleanup();
  await db.drop();
});

async function relay(env: Record<string, string> = {}): Promise<AppProcess> {
  const started = await startRelay(infra, {
    SMTP_URL: smtp.url,
    PUBLIC_WEB_URL: 'https://exchange.test',
    MAIL_POLL_INTERVAL: '100ms',
    MAIL_RETRY_BASE: '200ms',
    MAIL_RETRY_MAX: '1s',
    MAIL_BATCH_SIZE: '5',
    ...env,
  });
  relays.push(started);
  return started;
}

const courierLeader = (candidate: AppProcess) => metricValue(candidate, /^mail_courier_leader (\d+)$/m).catch(() => null);

describe('the mail courier in relay processes', () => {
  it('delivers each mail once through the one replica holding the courier lease', async () => {
    const [a, b] = await Promise.all([relay(), relay()]);
    const leaders = await eventually(async () => {
      const flags = await Promise.all([courierLeader(a as AppProcess), courierLeader(b as AppProcess)]);
      return flags.every((flag) => flag !== null) && flags;
    }, 'both replicas to report their courier role');
    expect([...leaders].sort()).toEqual([0, 1]);

    const queued = await Promise.all(Array.from({ length: 20 }, () => queueMail(db.url)));
    for (const mail of queued) await smtp.waitForMail(mail.recipient);
    await eventually(async () => {
      const rows = await Promise.all(queued.map((mail) => mailRow(db.url, mail.id)));
      return rows.every((row) => row.status === 'sent');
    }, 'every message marked sent');

    for (const mail of queued) expect(smtp.mailsTo(mail.recipient)).toHaveLength(1);
    const sentBy = await Promise.all(
      [a, b].map((candidate) =>
        metricValue(candidate as AppProcess, /^mail_messages_total\{template="verify_email",result="sent"\} (\d+)$/m),
      ),
    );
    // Only the leader counts sends; the standby never delivered one.
    expect(sentBy.map((count) => count ?? 0).sort((x, y) => x - y)).toEqual([0, 20]);
  }, 120_000);

  it('delivers a mail whose relay was killed in the middle of sending it', async () => {
    smtp.holdData();
    const first = await relay({ MAIL_SEND_TIMEOUT: '3s' });
    const queued = await queueMail(db.url, { template: 'password_reset' });
    await eventually(() => smtp.heldCount() > 0, 'the send to be in flight', 30_000);
    expect(await first.stop('SIGKILL')).toBeNull();
    // The server never answered that DATA: as far as anyone knows the mail did not go out.
    smtp.dropHeld();
    expect(smtp.mailsTo(queued.recipient)).toEqual([]);
    expect((await mailRow(db.url, queued.id)).status).toBe('pending');

    await relay({ MAIL_SEND_TIMEOUT: '3s' });
    const mail = await smtp.waitForMail(queued.recipient, { timeoutMs: 60_000 });
    expect(mail.text).toContain(`/reset-password?token=${queued.token}`);
    const row = await eventually(async () => {
      const current = await mailRow(db.url, queued.id);
      return current.status === 'sent' && current;
    }, 'the message marked sent');
    expect(row).toMatchObject({ attempts: 2, linkToken: null });
  }, 120_000);

  it('on SIGTERM finishes the send in flight, records it, releases the lease and exits 0', async () => {
    smtp.holdData();
    const running = await relay({ MAIL_SEND_TIMEOUT: '20s' });
    const queued = await queueMail(db.url, { template: 'mfa_enabled', token: null });
    await eventually(() => smtp.heldCount() > 0, 'the send to be in flight', 30_000);

    const exited = running.stop('SIGTERM');
    await eventually(() => running.output().includes('event-relay shutting down'), 'the shutdown to begin');
    smtp.release();
    expect(await exited).toBe(0);

    expect(smtp.mailsTo(queued.recipient)).toHaveLength(1);
    expect(await mailRow(db.url, queued.id)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(running.output()).toContain('released the mail courier lease');
  }, 120_000);
});
