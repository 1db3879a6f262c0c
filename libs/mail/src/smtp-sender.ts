import nodemailer, { type Transporter } from 'nodemailer';

export interface OutgoingMail {
  /** The queue row's id: it becomes the Message-ID, so a duplicate delivery (at least once) is recognisable. */
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface SmtpSettings {
  /** SMTP_URL: `smtp://[user:pass@]host:port` or `smtps://…`. */
  url: string;
  /** MAIL_FROM: `Name <address>` or a bare address. */
  from: string;
  /** MAIL_SEND_TIMEOUT: connecting, the greeting and each later step each get at most this long. */
  sendTimeoutMs: number;
  /** Refuse to go on over `smtp://` unless the server upgrades the connection with STARTTLS. */
  requireTls?: boolean;
}

/** How an attempt failed, for logs and metrics: the server answered 4xx, 5xx, or could not be reached. */
export type SendFailureKind = 'transient' | 'permanent' | 'unreachable';

export class SendFailure extends Error {
  constructor(
    message: string,
    readonly kind: SendFailureKind,
    readonly responseCode: number | null,
  ) {
    super(message);
    this.name = 'SendFailure';
  }
}

export interface MailSender {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** The domain of MAIL_FROM's address, for Message-IDs (`<id@domain>`). */
export function senderDomain(from: string): string {
  const address = /<([^>]+)>/.exec(from)?.[1] ?? from;
  const domain = address.split('@')[1]?.trim();
  return domain && /^[A-Za-z0-9.-]+$/.test(domain) ? domain : 'localhost';
}

/**
 * A failure as a short, secret-free line: nodemailer's messages can quote the server's reply but
 * never the credentials; the URL is not part of them.
 */
function describe(error: unknown): { message: string; responseCode: number | null; kind: SendFailureKind } {
  const details = error as { message?: string; responseCode?: number; code?: string };
  const responseCode = typeof details.responseCode === 'number' ? details.responseCode : null;
  const kind: SendFailureKind =
    responseCode === null ? 'unreachable' : responseCode >= 500 ? 'permanent' : responseCode >= 400 ? 'transient' : 'unreachable';
  const message = [details.code, details.message ?? String(error)].filter(Boolean).join(': ').slice(0, 480);
  return { message, responseCode, kind };
}

/** Delivers over SMTP with nodemailer; one pooled-free transport (a connection per message keeps failures isolated). */
export class SmtpMailSender implements MailSender {
  private readonly transport: Transporter;
  private readonly domain: string;

  constructor(private readonly settings: SmtpSettings) {
    // The options go beside `url` in the first argument (the second would be message defaults);
    // what the URL itself sets wins.
    this.transport = nodemailer.createTransport({
      url: settings.url,
      connectionTimeout: settings.sendTimeoutMs,
      greetingTimeout: settings.sendTimeoutMs,
      socketTimeout: settings.sendTimeoutMs,
      dnsTimeout: settings.sendTimeoutMs,
      ...(settings.requireTls ? { requireTLS: true } : {}),
    } as Parameters<typeof nodemailer.createTransport>[0]);
    this.domain = senderDomain(settings.from);
  }

  async send(mail: OutgoingMail): Promise<void> {
    try {
      await this.transport.sendMail({
        from: this.settings.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: `<${mail.id}@${this.domain}>`,
        headers: { 'Auto-Submitted': 'auto-generated' },
        disableUrlAccess: true,
        disableFileAccess: true,
      });
    } catch (error) {
      const { message, responseCode, kind } = describe(error);
      throw new SendFailure(message, kind, responseCode);
    }
  }

  close(): void {
    this.transport.close();
  }
}
