import { randomUUID } from 'node:crypto';
import {
  createTestDatabase,
  createTestRedis,
  linkInMail,
  startMailCourier,
  TestSmtpServer,
  withPgClient,
  type MailCourierProcess,
  type TestDatabase,
  type TestRedis,
} from '../src';

/** The helpers other suites use to read the mail their code queues: a real SMTP server and event-relay's courier as a process. */
let db: TestDatabase;
let redis: TestRedis;
let smtp: TestSmtpServer;
let courier: MailCourierProcess | null = null;

beforeAll(async () => {
  [db, redis, smtp] = await Promise.all([createTestDatabase(), createTestRedis(), TestSmtpServer.start()]);
});
afterAll(async () => {
  await courier?.stop();
  await smtp.stop();
  await redis.cleanup();
  await db.drop();
});

it('delivers a mail queued in the suite database to the test SMTP server, with its link', async () => {
  courier = await startMailCourier({
    databaseUrl: db.url,
    redisUrl: redis.url,
    redisKeyPrefix: redis.keyPrefix,
    smtpUrl: smtp.url,
    publicWebUrl: 'http://127.0.0.1:18080',
  });
  const token = `tok-${randomUUID()}`;
  await withPgClient(db.url, (client) =>
    client.query(
      `INSERT INTO mail_messages (id, template, recipient, data, link_token, status, attempts, next_attempt_at, created_at)
       VALUES ($1, 'password_reset', 'helper@example.com', '{"first_name":"Ada"}', $2, 'pending', 0, now(), now())`,
      [randomUUID(), token],
    ),
  );
  const mail = await smtp.waitForMail('helper@example.com');
  expect(linkInMail(mail, '/reset-password')).toEqual({ url: `http://127.0.0.1:18080/reset-password?token=${token}`, token });
}, 60_000);
