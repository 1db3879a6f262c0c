import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The Prometheus registry of one app with the metrics it exposes (docs/observability.md#metrics). HTTP route labels are
 * route patterns (`/api/v1/users/:id`), never raw paths, so ids cannot explode the cardinality.
 */
export class AppMetrics {
  readonly registry = new Registry();

  readonly httpRequestsTotal = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests handled, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [this.registry],
  });

  readonly httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly userRegistrationsTotal = new Counter({
    name: 'user_registrations_total',
    help: 'Accounts registered.',
    registers: [this.registry],
  });

  readonly userLoginsTotal = new Counter({
    name: 'user_logins_total',
    help: 'Login attempts by result (success, invalid_credentials, locked, rate_limited, forbidden, frozen).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly tokenRefreshTotal = new Counter({
    name: 'token_refresh_total',
    help: 'Refresh-token exchanges by result (success, invalid, grace, reuse_detected).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly passwordHashDuration = new Histogram({
    name: 'password_hash_duration_seconds',
    help: 'Time spent in Argon2id, by operation (hash or verify).',
    labelNames: ['operation'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });

  readonly rateLimitRejectionsTotal = new Counter({
    name: 'rate_limit_rejections_total',
    help: 'Requests refused with 429, by limit (ip, user, login, register, account_lockout).',
    labelNames: ['limit'] as const,
    registers: [this.registry],
  });

  readonly loginLockoutsTotal = new Counter({
    name: 'login_lockouts_total',
    help: 'Accounts (emails) locked after too many consecutive failed logins.',
    registers: [this.registry],
  });

  readonly mfaVerificationsTotal = new Counter({
    name: 'mfa_verifications_total',
    help: 'Second-factor checks by result (success, recovery_code, invalid_code, replayed, missing, invalid_challenge).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly redisDegradedTotal = new Counter({
    name: 'redis_degraded_decisions_total',
    help: 'Decisions taken without Redis (rate limits failed open, login throttle fell back to this process).',
    labelNames: ['component'] as const,
    registers: [this.registry],
  });

  readonly readCacheLookupsTotal = new Counter({
    name: 'read_cache_lookups_total',
    help: 'Reads of users and sessions through the read cache, by cache (user, session) and result (hit, miss, bypass: the cache could not be trusted).',
    labelNames: ['cache', 'result'] as const,
    registers: [this.registry],
  });

  constructor(readonly service: string) {
    collectDefaultMetrics({ register: this.registry });
  }

  /** The DomainMetrics port of the use cases. */
  domain() {
    return {
      registration: () => this.userRegistrationsTotal.inc(),
      login: (result: string) => {
        this.userLoginsTotal.inc({ result });
        if (result === 'locked') this.rateLimitRejectionsTotal.inc({ limit: 'account_lockout' });
        if (result === 'rate_limited') this.rateLimitRejectionsTotal.inc({ limit: 'login' });
      },
      tokenRefresh: (result: string) => this.tokenRefreshTotal.inc({ result }),
      loginLocked: () => this.loginLockoutsTotal.inc(),
      mfaVerification: (result: string) => this.mfaVerificationsTotal.inc({ result }),
    };
  }

  /**
   * The read caches' hooks: every lookup, and whether they may serve (read when scraped). Only a
   * process whose cache is on exports `read_cache_current`, so the alert on it cannot fire for a
   * cache that was turned off (READ_CACHE_TTL=0).
   */
  readCache(isCurrent: () => boolean) {
    const current: Gauge = new Gauge({
      name: 'read_cache_current',
      help: '1 while the read cache may serve (its change feed proved itself within the last second), 0 while every read goes to PostgreSQL.',
      registers: [this.registry],
      collect: (): void => current.set(isCurrent() ? 1 : 0),
    });
    // prom-client hashes the labels on every increment, through a labelled child too: a table of
    // children would only add a key of its own to build per lookup.
    return (cache: 'user' | 'session', result: 'hit' | 'miss' | 'bypass') => this.readCacheLookupsTotal.inc({ cache, result });
  }

  /** The hasher's timing hook. */
  hashTimer() {
    return {
      observeHashDuration: (seconds: number, operation: 'hash' | 'verify') => this.passwordHashDuration.observe({ operation }, seconds),
    };
  }

  recordHttpRequest(labels: { method: string; route: string; status_code: number }, seconds: number): void {
    const values = { method: labels.method, route: labels.route, status_code: String(labels.status_code) };
    this.httpRequestsTotal.inc(values);
    this.httpRequestDuration.observe(values, seconds);
  }

  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
