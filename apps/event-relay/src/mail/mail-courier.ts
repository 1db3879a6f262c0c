import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { LeaderSession, MAIL_COURIER_LEADER_LOCK_KEY, MailCourierStore, type ClaimedMail } from '@pandora/data-access';
import { renderMail, SendFailure, type MailSender } from '@pandora/mail';
import type { Logger } from '@pandora/observability';
import { backoffDelay } from '../relay/outbox-relay';
import type { MailMetrics, MailResult } from './mail-metrics';

export type CourierRole = 'starting' | 'standby' | 'leader' | 'stopped';

export interface MailCourierSettings {
  batchSize: number;
  pollIntervalMs: number;
  sendTimeoutMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  publicWebUrl: string;
  /** How often a standby replica tries to take the courier lease. */
  leaderRetryIntervalMs: number;
  /** Cap of the backoff while PostgreSQL is unavailable. */
  maxBackoffMs: number;
  statementTimeoutMs: number;
}

export interface MailCourierDeps {
  /** DATABASE_DIRECT_URL: the courier's session holds its lease, so never a transaction pooler. */
  databaseUrl: string;
  sender: MailSender;
  settings: MailCourierSettings;
  metrics: MailMetrics;
  logger: Logger;
}

/**
 * The wait before the next attempt after `attempt` failed ones: MAIL_RETRY_BASE doubled per
 * failure, capped at MAIL_RETRY_MAX, minus up to a quarter of jitter so that a burst of failures
 * does not come back in lockstep.
 */
export function retryDelay(attempt: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  return Math.round(ceiling * (0.75 + Math.random() * 0.25));
}

/**
 * How long a claim keeps a message from being claimed again: longer than one attempt can take (it
 * is cut at MAIL_SEND_TIMEOUT), so only a courier that died mid-send lets it run out.
 */
export function claimDurationMs(settings: Pick<MailCourierSettings, 'sendTimeoutMs'>): number {
  return 2 * settings.sendTimeoutMs + 5_000;
}

const tracer = trace.getTracer('event-relay');

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SendFailure(`no answer within ${ms} ms`, 'unreachable', null)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Delivers queued mail (docs/mail.md, "The courier"). Like the outbox relay, one replica at a time
 * works: the holder of the courier's lease (an advisory lock on its own PostgreSQL session, a key
 * of its own so it does not follow the relay's leader). The leader claims due messages (which
 * counts the attempt and commits), sends them over SMTP concurrently, then marks each sent,
 * retried later with backoff, or abandoned after MAIL_MAX_ATTEMPTS. It runs beside requests,
 * never in one: a slow or absent SMTP server delays mail, not answers.
 */
export class MailCourier {
  private role: CourierRole = 'starting';
  private stopping = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private lost: Error | null = null;
  private session: symbol | null = null;

  constructor(private readonly deps: MailCourierDeps) {}

  /**
   * Like the relay, the loop runs with tracing suppressed (no trace per idle poll or lease attempt);
   * only a round that claimed mail is traced, as one `mail.deliver_batch` span.
   */
  start(): void {
    this.loop ??= context.with(suppressTracing(context.active()), () => this.run());
  }

  /** Finishes the sends in flight (each bounded by MAIL_SEND_TIMEOUT), releases the lease and returns. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    this.deps.sender.close();
  }

  currentRole(): CourierRole {
    return this.role;
  }

  private setRole(role: CourierRole): void {
    this.role = role;
    this.deps.metrics.leader.set(role === 'leader' ? 1 : 0);
  }

  private pause(ms: number): Promise<void> {
    if (this.stopping || this.lost) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(), ms);
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    const { logger, settings } = this.deps;
    let failures = 0;
    while (!this.stopping) {
      // Callbacks of an earlier, abandoned session must not disturb this one.
      const current = Symbol('session');
      this.session = current;
      this.lost = null;
      let session: LeaderSession | null = null;
      let failure: unknown = null;
      try {
        session = await LeaderSession.open({
          url: this.deps.databaseUrl,
          key: MAIL_COURIER_LEADER_LOCK_KEY,
          applicationName: 'event-relay:mail-courier',
          statementTimeoutMs: settings.statementTimeoutMs,
          idleSessionTimeoutMs: 2 * Math.max(settings.pollIntervalMs, settings.leaderRetryIntervalMs, claimDurationMs(settings)) + 10_000,
          onLost: (error) => {
            if (this.session !== current) return;
            this.lost = error;
            this.wake?.();
          },
        });
        await this.serve(session, () => {
          if (failures > 0) logger.info('the mail courier reaches PostgreSQL again', { after_attempts: failures });
          failures = 0;
        });
      } catch (error) {
        failure = error;
      }
      this.session = null;
      this.lost = null;
      await session?.close();
      if (failure === null || this.stopping) continue;
      failures++;
      const retryInMs = backoffDelay(failures, settings.maxBackoffMs);
      logger.warn('PostgreSQL unavailable; the mail courier retries', {
        error: messageOf(failure),
        attempt: failures,
        retry_in_ms: retryInMs,
      });
      this.setRole('standby');
      await this.pause(retryInMs);
    }
    this.setRole('stopped');
  }

  private async serve(session: LeaderSession, healthy: () => void): Promise<void> {
    const { logger, settings } = this.deps;
    const store = new MailCourierStore(session);
    let leader = false;
    while (!this.stopping) {
      if (this.lost) throw this.lost;
      if (!leader) {
        if (!(await session.tryAcquireLease())) {
          healthy();
          if (this.role !== 'standby') logger.info('another replica holds the mail courier lease; standing by');
          this.setRole('standby');
          await this.pause(settings.leaderRetryIntervalMs);
          continue;
        }
        leader = true;
        this.setRole('leader');
        logger.info('took the mail courier lease; delivering mail');
      }
      const claimed = await store.claimDue(settings.batchSize, claimDurationMs(settings));
      healthy();
      if (claimed.length > 0) await this.deliver(store, claimed);
      if (claimed.length === settings.batchSize) continue;
      await this.pause(settings.pollIntervalMs);
    }
    if (leader) {
      await session.releaseLease().catch(() => undefined);
      logger.info('released the mail courier lease');
    }
  }

  /**
   * Sends a claimed batch concurrently, then records each outcome in turn on the session (one
   * statement at a time). A database error while recording ends the session: the unrecorded
   * messages' claims run out and they go out again (at least once).
   */
  private async deliver(store: MailCourierStore, claimed: ClaimedMail[]): Promise<void> {
    // A new root (ROOT_CONTEXT is not suppressed): the recording of the outcomes beneath it.
    const span = tracer.startSpan(
      'mail.deliver_batch',
      { kind: SpanKind.CLIENT, attributes: { 'mail.batch.message_count': claimed.length } },
      ROOT_CONTEXT,
    );
    try {
      await context.with(trace.setSpan(ROOT_CONTEXT, span), async () => {
        const errors = await Promise.all(claimed.map((mail) => this.send(mail)));
        span.setAttribute('mail.batch.failed_count', errors.filter((error) => error !== null).length);
        for (const [index, mail] of claimed.entries()) await this.record(store, mail, errors[index] ?? null);
      });
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: messageOf(error) });
      throw error;
    } finally {
      span.end();
    }
  }

  /** One attempt; null when the server accepted the message, else why not. */
  private async send(mail: ClaimedMail): Promise<string | null> {
    const { metrics, sender, settings } = this.deps;
    const started = performance.now();
    try {
      const rendered = renderMail(mail, { publicWebUrl: settings.publicWebUrl });
      await withTimeout(
        sender.send({ id: mail.id, to: mail.recipient, subject: rendered.subject, text: rendered.text, html: rendered.html }),
        settings.sendTimeoutMs,
      );
      return null;
    } catch (failure) {
      return messageOf(failure);
    } finally {
      metrics.sendDuration.observe((performance.now() - started) / 1000);
    }
  }

  private async record(store: MailCourierStore, mail: ClaimedMail, error: string | null): Promise<void> {
    const { logger, metrics, settings } = this.deps;
    let result: MailResult;
    if (error === null) {
      result = 'sent';
      await store.markSent(mail.id);
      logger.info('mail sent', { mail_id: mail.id, template: mail.template, attempt: mail.attempts });
    } else if (mail.attempts >= settings.maxAttempts) {
      result = 'abandoned';
      await store.abandon(mail.id, error);
      logger.error('mail abandoned after its last attempt', { mail_id: mail.id, template: mail.template, attempts: mail.attempts, error });
    } else {
      result = 'retried';
      const retryInMs = retryDelay(mail.attempts, settings.retryBaseMs, settings.retryMaxMs);
      await store.scheduleRetry(mail.id, retryInMs, error);
      logger.warn('mail not delivered; it is tried again later', {
        mail_id: mail.id,
        template: mail.template,
        attempt: mail.attempts,
        retry_in_ms: retryInMs,
        error,
      });
    }
    metrics.record(mail.template, result, mail.attempts);
  }
}
