import { buildAuditCleanupWorkerConfig } from './audit-cleanup-worker.config';
import { ConfigError } from './config-error';

const HOUR_MS = 3_600_000;

function problemsOf(env: Record<string, string>): string {
  try {
    buildAuditCleanupWorkerConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('audit-cleanup-worker configuration', () => {
  it('keeps sessions and published outbox rows 7 days and deletes 5,000 rows per batch by default', () => {
    const config = buildAuditCleanupWorkerConfig({});
    expect(config.retention).toEqual({ auditRetentionDays: 30, sessionWindowMs: 168 * HOUR_MS, outboxWindowMs: 168 * HOUR_MS });
    expect(config.batch).toEqual({ size: 5_000, pauseMs: 0 });
    expect(config.pushgatewayUrl).toBeNull();
  });

  it('reads Go-style windows, the batch size, the pause and the Pushgateway address', () => {
    const config = buildAuditCleanupWorkerConfig({
      SESSION_RETENTION: '72h',
      OUTBOX_RETENTION: '36h30m',
      CLEANUP_BATCH_SIZE: '250',
      CLEANUP_BATCH_PAUSE: '200ms',
      PUSHGATEWAY_URL: 'http://pushgateway.monitoring:9091',
    });
    expect(config.retention.sessionWindowMs).toBe(72 * HOUR_MS);
    expect(config.retention.outboxWindowMs).toBe(36.5 * HOUR_MS);
    expect(config.batch).toEqual({ size: 250, pauseMs: 200 });
    expect(config.pushgatewayUrl).toBe('http://pushgateway.monitoring:9091');
  });

  it('refuses a batch above 5,000 rows, a window that is not a duration, and a Pushgateway that is not http(s)', () => {
    const problems = problemsOf({
      CLEANUP_BATCH_SIZE: '5001',
      SESSION_RETENTION: '7d',
      OUTBOX_RETENTION: '10m',
      PUSHGATEWAY_URL: 'ftp://x',
    });
    expect(problems).toMatch(/CLEANUP_BATCH_SIZE: expected an integer between 1 and 5000/);
    expect(problems).toMatch(/SESSION_RETENTION: expected a Go duration/);
    expect(problems).toMatch(/OUTBOX_RETENTION: must be between 1h and 8760h/);
    expect(problems).toMatch(/PUSHGATEWAY_URL: expected a URL with scheme http:\/\/ or https:\/\//);
  });

  it.each([
    ['dev', 30],
    ['sandbox', 90],
    ['audit', 2555],
    ['prod', 2555],
  ])('stamps its own audit row with the %s retention of %d days unless AUDIT_RETENTION_DAYS overrides it', (appEnv, days) => {
    const deployed = { DATABASE_URL: 'postgresql://cleanup:pw@db:5432/pandora?sslmode=require' };
    expect(buildAuditCleanupWorkerConfig({ APP_ENV: appEnv, ...deployed }).retention.auditRetentionDays).toBe(days);
    expect(buildAuditCleanupWorkerConfig({ APP_ENV: appEnv, ...deployed, AUDIT_RETENTION_DAYS: '400' }).retention.auditRetentionDays).toBe(
      400,
    );
  });

  it('needs a real DATABASE_URL in prod but no Redis at all', () => {
    const problems = problemsOf({ APP_ENV: 'prod' });
    expect(problems).toMatch(/DATABASE_URL: required when APP_ENV=prod/);
    expect(problems).not.toMatch(/REDIS_URL/);
  });

  it('logs at info even where the APP_ENV default is quieter, unless LOG_LEVEL says otherwise', () => {
    const prod = { APP_ENV: 'prod', DATABASE_URL: 'postgresql://cleanup:pw@db:5432/pandora?sslmode=require' };
    expect(buildAuditCleanupWorkerConfig(prod).logLevel).toBe('info');
    expect(buildAuditCleanupWorkerConfig({ ...prod, LOG_LEVEL: 'warn' }).logLevel).toBe('warn');
    expect(buildAuditCleanupWorkerConfig({ APP_ENV: 'dev' }).logLevel).toBe('debug');
  });
});
