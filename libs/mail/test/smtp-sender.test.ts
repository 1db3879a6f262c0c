import { TestSmtpServer } from '@pandora/testing';
import { SendFailure, SmtpMailSender } from '../src';

/** The nodemailer sender against a real SMTP server: headers, refusals, TLS required, timeouts. */
let smtp: TestSmtpServer;
const senders: SmtpMailSender[] = [];

beforeAll(async () => {
  smtp = await TestSmtpServer.start();
});
afterEach(() => {
  smtp.accept();
  smtp.release();
  for (const sender of senders.splice(0)) sender.close();
});
afterAll(async () => {
  await smtp.stop();
});

function sender(options: { requireTls?: boolean; sendTimeoutMs?: number } = {}): SmtpMailSender {
  const created = new SmtpMailSender({
    url: smtp.url,
    from: 'Pandora Exchange <no-reply@pandora.local>',
    sendTimeoutMs: options.sendTimeoutMs ?? 5_000,
    ...(options.requireTls ? { requireTls: true } : {}),
  });
  senders.push(created);
  return created;
}

const mail = (to: string) => ({
  id: '0b8e2c1e-7d0a-4c55-9a77-0f3c1b2d4e5f',
  to,
  subject: 'Subject',
  text: 'Text part',
  html: '<p>HTML part</p>',
});

describe('the SMTP sender', () => {
  it('sends both parts with the queue id as Message-ID and marks the mail as automatic', async () => {
    await sender().send(mail('headers@example.com'));
    const received = await smtp.waitForMail('headers@example.com');
    expect(received).toMatchObject({ from: 'no-reply@pandora.local', subject: 'Subject', text: 'Text part', html: '<p>HTML part</p>' });
    expect(received.messageId).toBe('<0b8e2c1e-7d0a-4c55-9a77-0f3c1b2d4e5f@pandora.local>');
    expect(received.headers.get('auto-submitted')).toBe('auto-generated');
  });

  it('reports a refusal with the server’s code', async () => {
    smtp.refuse(550);
    const failure = await sender()
      .send(mail('refused@example.com'))
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SendFailure);
    expect(failure).toMatchObject({ kind: 'permanent', responseCode: 550 });
  });

  it('refuses to go on over a connection the server does not upgrade with STARTTLS when TLS is required', async () => {
    const failure = await sender({ requireTls: true })
      .send(mail('cleartext@example.com'))
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SendFailure);
    expect((failure as SendFailure).message).toMatch(/STARTTLS|TLS/);
    expect(smtp.mailsTo('cleartext@example.com')).toEqual([]);
  });

  it('gives up on a server that does not answer within the send timeout', async () => {
    smtp.holdData();
    const started = Date.now();
    const failure = await sender({ sendTimeoutMs: 500 })
      .send(mail('silent@example.com'))
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SendFailure);
    expect(Date.now() - started).toBeLessThan(20_000);
    smtp.dropHeld();
  });
});
