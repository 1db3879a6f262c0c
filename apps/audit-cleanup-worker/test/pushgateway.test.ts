import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestDatabase, type TestDatabase } from '@pandora/testing';
import { runCleanup } from '../src/run-cleanup';
import { seedAuditRows, seedSessions } from './support/seed';
import { capturingLogger, workerConfig } from './support/worker';

/**
 * Metrics pushed at the end of a run. A Prometheus Pushgateway cannot run on this machine (no
 * container runtime, no binary from the npm registry), so a local HTTP server stands in for it: it
 * records what prom-client's Pushgateway client sends and answers the way the real one does (200, or
 * the status a test asks for).
 */
interface Push {
  method: string;
  url: string;
  body: string;
}

async function fakePushgateway(status = 200): Promise<{ url: string; pushes: Push[]; close: () => Promise<void> }> {
  const pushes: Push[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      pushes.push({ method: req.method ?? '', url: req.url ?? '', body });
      res.writeHead(status).end(status >= 400 ? 'fake pushgateway refusing' : '');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    pushes,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** `name{labels} value` pairs of a Prometheus text exposition. */
function samples(body: string): Record<string, number> {
  return Object.fromEntries(
    body
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => {
        const at = line.lastIndexOf(' ');
        return [line.slice(0, at), Number(line.slice(at + 1))];
      }),
  );
}

let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase();
});
afterEach(() => db.drop());

describe('the run’s metrics', () => {
  it('are pushed to the Pushgateway with POST under job audit-cleanup-worker when PUSHGATEWAY_URL is set', async () => {
    await seedAuditRows(db.url, { label: 'expired', count: 5, retention: '-1 day' });
    await seedSessions(db.url, { label: 'expired', count: 3, expires: '-30 days', revoked: null });
    const gateway = await fakePushgateway();
    const { logger, lines } = capturingLogger();
    try {
      await runCleanup(workerConfig(db.url, { PUSHGATEWAY_URL: gateway.url }), { dryRun: false, logger });
    } finally {
      await gateway.close();
    }

    expect(gateway.pushes).toHaveLength(1);
    const [push] = gateway.pushes as [Push];
    // POST (pushAdd) replaces only the metrics it carries: a later failed run keeps the last success.
    expect(push.method).toBe('POST');
    expect(push.url).toBe('/metrics/job/audit-cleanup-worker');
    const values = samples(push.body);
    expect(values['audit_cleanup_deleted_total{kind="audit_logs"}']).toBe(5);
    expect(values['audit_cleanup_deleted_total{kind="sessions"}']).toBe(3);
    expect(values['audit_cleanup_deleted_total{kind="refresh_tokens"}']).toBe(6);
    expect(values['audit_cleanup_deleted_total{kind="outbox_events"}']).toBe(0);
    expect(values.audit_cleanup_run_duration_seconds).toBeGreaterThan(0);
    expect(values.audit_cleanup_last_success_timestamp_seconds).toBeCloseTo(Date.now() / 1000, -2);
    expect(lines().some((line) => line.message === 'audit cleanup metrics pushed')).toBe(true);
  });

  it('of a failed run carry its duration but no last-success timestamp', async () => {
    const gateway = await fakePushgateway();
    const { logger } = capturingLogger();
    try {
      const result = await runCleanup(workerConfig('postgresql://postgres@127.0.0.1:1/nowhere', { PUSHGATEWAY_URL: gateway.url }), {
        dryRun: false,
        logger,
      });
      expect(result.exitCode).toBe(1);
    } finally {
      await gateway.close();
    }

    const values = samples((gateway.pushes[0] as Push).body);
    expect(values.audit_cleanup_run_duration_seconds).toBeGreaterThan(0);
    expect(Object.keys(values).some((name) => name.startsWith('audit_cleanup_last_success_timestamp_seconds'))).toBe(false);
  });

  it('of a run stopped by a signal are pushed with its counts and duration, but no last-success timestamp', async () => {
    await seedAuditRows(db.url, { label: 'expired', count: 300, retention: '-1 day' });
    const gateway = await fakePushgateway();
    const { logger, lines } = capturingLogger();
    const batches = () => lines().filter((line) => line.message === 'audit cleanup batch').length;
    try {
      const result = await runCleanup(workerConfig(db.url, { PUSHGATEWAY_URL: gateway.url, CLEANUP_BATCH_SIZE: '100' }), {
        dryRun: false,
        logger,
        stopRequested: () => (batches() >= 1 ? 'SIGTERM' : null),
      });
      expect(result).toEqual({ outcome: 'interrupted', exitCode: 0 });
    } finally {
      await gateway.close();
    }

    expect(gateway.pushes).toHaveLength(1);
    const values = samples((gateway.pushes[0] as Push).body);
    expect(values['audit_cleanup_deleted_total{kind="audit_logs"}']).toBe(100);
    expect(values.audit_cleanup_run_duration_seconds).toBeGreaterThan(0);
    expect(Object.keys(values).some((name) => name.startsWith('audit_cleanup_last_success_timestamp_seconds'))).toBe(false);
  });

  it('are not pushed by a dry run, which would overwrite the real run’s numbers with zeros', async () => {
    await seedAuditRows(db.url, { label: 'expired', count: 2, retention: '-1 day' });
    const gateway = await fakePushgateway();
    const { logger } = capturingLogger();
    try {
      await runCleanup(workerConfig(db.url, { PUSHGATEWAY_URL: gateway.url }), { dryRun: true, logger });
    } finally {
      await gateway.close();
    }
    expect(gateway.pushes).toEqual([]);
  });

  it('that the Pushgateway refuses are logged as an error without failing a run that completed', async () => {
    const gateway = await fakePushgateway(500);
    const { logger, lines } = capturingLogger();
    let exitCode: number;
    try {
      exitCode = (await runCleanup(workerConfig(db.url, { PUSHGATEWAY_URL: gateway.url }), { dryRun: false, logger })).exitCode;
    } finally {
      await gateway.close();
    }
    expect(exitCode).toBe(0);
    const failure = lines().find((line) => line.message === 'audit cleanup could not push its metrics');
    expect(failure).toEqual(expect.objectContaining({ level: 'error', error: expect.stringMatching(/500/) }));
  });
});
