import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from './test-infrastructure';
import { eventually } from './waiting';

/** A mail the test SMTP server accepted, parsed. */
export interface ReceivedMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers: Map<string, unknown>;
  receivedAt: Date;
}

/** A reply the server gives instead of accepting (e.g. 451 for "try later", 550 for "never"). */
export interface Refusal {
  code: number;
  message: string;
}

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  if (!value) return [];
  return (Array.isArray(value) ? value : [value]).flatMap((entry) => entry.value.map((address) => address.address ?? '')).filter(Boolean);
}

function smtpError(refusal: Refusal): Error {
  return Object.assign(new Error(refusal.message), { responseCode: refusal.code });
}

/**
 * A real SMTP server in the test's process (`smtp-server`, parsed with `mailparser`), for tests
 * that read the mails the courier sends. It can refuse (`refuse(451)`, `refuse(550)`), hold a
 * message's DATA until released (`holdData()`: a send in flight), and go down and come back on the
 * same port (`stop()`, `start()`). Do not block the event loop of the process that hosts it: the
 * SMTP conversation runs on it.
 */
export class TestSmtpServer {
  readonly mails: ReceivedMail[] = [];
  /** Messages whose DATA arrived, accepted or not (counts attempts that reached the end). */
  dataAttempts = 0;
  private server: SMTPServer | null = null;
  private refusal: Refusal | null = null;
  private held: Array<() => void> | null = null;

  private constructor(readonly port: number) {}

  /** Starts a server on a free port (or on `port`). */
  static async start(port?: number): Promise<TestSmtpServer> {
    const server = new TestSmtpServer(port ?? (await freePort()));
    await server.start();
    return server;
  }

  /** `smtp://127.0.0.1:<port>`: the SMTP_URL for the courier. */
  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  isRunning(): boolean {
    return this.server !== null;
  }

  /** Listens (again) on the same port. */
  async start(): Promise<void> {
    if (this.server) return;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      banner: 'pandora test smtp',
      // Closing must not wait for a client that is mid-conversation.
      closeTimeout: 100,
      onRcptTo: (_address, _session, callback) => {
        if (this.refusal) callback(smtpError(this.refusal));
        else callback();
      },
      onData: (stream, _session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          this.dataAttempts++;
          const accept = () => {
            if (this.refusal) {
              callback(smtpError(this.refusal));
              return;
            }
            void simpleParser(Buffer.concat(chunks)).then(
              (parsed) => {
                this.mails.push({
                  to: addresses(parsed.to),
                  from: addresses(parsed.from)[0] ?? '',
                  subject: parsed.subject ?? '',
                  text: parsed.text ?? '',
                  html: typeof parsed.html === 'string' ? parsed.html : '',
                  messageId: parsed.messageId ?? '',
                  headers: parsed.headers as Map<string, unknown>,
                  receivedAt: new Date(),
                });
                callback();
              },
              (error: Error) => callback(error),
            );
          };
          if (this.held) this.held.push(accept);
          else accept();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    // A client that vanishes mid-conversation is normal in these tests.
    server.on('error', () => undefined);
    this.server = server;
  }

  /** Goes down: stops listening and drops open conversations. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    this.release();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** From now on every recipient (and every DATA) is answered with `code` until `accept()`. */
  refuse(code: number, message = code >= 500 ? 'mailbox unavailable' : 'try again later'): void {
    this.refusal = { code, message };
  }

  accept(): void {
    this.refusal = null;
  }

  /** From now on a message's DATA gets no answer until `release()`: the sender waits mid-send. */
  holdData(): void {
    this.held ??= [];
  }

  /** Answers the held messages and stops holding. */
  release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const answer of held) answer();
  }

  /** Forgets the held messages without answering them (as if the server crashed before accepting), and stops holding. */
  dropHeld(): void {
    this.held = null;
  }

  /** How many DATA commands wait for `release()`. */
  heldCount(): number {
    return this.held?.length ?? 0;
  }

  /** Mails to `address` (case-insensitive). */
  mailsTo(address: string): ReceivedMail[] {
    const wanted = address.toLowerCase();
    return this.mails.filter((mail) => mail.to.some((to) => to.toLowerCase() === wanted));
  }

  /** Waits for the `count`th mail to `address` and returns it. */
  async waitForMail(address: string, options: { count?: number; timeoutMs?: number } = {}): Promise<ReceivedMail> {
    const count = options.count ?? 1;
    return eventually(() => this.mailsTo(address)[count - 1], `mail #${count} to ${address}`, options.timeoutMs ?? 30_000);
  }

  /** Forgets the mails received so far. */
  clear(): void {
    this.mails.length = 0;
    this.dataAttempts = 0;
  }
}

/** The first link in a mail's text part whose path is `path` (e.g. `/verify-email`), and its token. */
export function linkInMail(mail: Pick<ReceivedMail, 'text'>, path: string): { url: string; token: string } {
  const pattern = new RegExp(`https?://\\S+${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\?token=([^\\s&]+)`);
  const match = pattern.exec(mail.text);
  if (!match) throw new Error(`no ${path} link in the mail:\n${mail.text}`);
  return { url: match[0], token: decodeURIComponent(match[1] as string) };
}
