/**
 * `npx tsx tools/bench/src/login-steps.ts [transactions]` — the CPU of two steps of a password login
 * on their own (docs/benchmarks.md, "Login: fewer round trips"), where `npm run bench` on a shared
 * machine cannot resolve a tenth of a millisecond:
 *  - the login's transaction through data-access's real unit of work (session and refresh token,
 *    device check, audit row, outbox event), 4 in flight like the bench's logins: CPU of this process
 *    (node-postgres runs on its event loop) and of the PostgreSQL backends, per transaction;
 *  - the access token: JwtAccessTokenService.issue against jose's SignJWT with the same ES256 key and
 *    claims (what the service used until 2026-12), CPU per token including jose's thread-pool job.
 * It creates a private database like `npm run bench` and drops it at the end. Linux only (/proc).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { JwtAccessTokenService, KeyRing } from '@pandora/auth';
import { createRepositories, Database, PgUnitOfWork } from '@pandora/data-access';
import type { AuditEntry, DomainEvent } from '@pandora/domain';
import { SignJWT } from 'jose';
import { createPrivateInfrastructure, newRunId } from './infrastructure';

const TRANSACTIONS = Number(process.argv[2] ?? 4_000);
const IN_FLIGHT = 4;
const TOKENS = 3_000;
const USER_HZ = 100;

/** CPU ticks of the PostgreSQL backends serving `applicationName`. */
async function backendTicks(monitor: Database, applicationName: string): Promise<number> {
  const { rows } = await monitor.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
  let ticks = 0;
  for (const { pid } of rows) {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks;
}

/** Runs `step` `calls` times, `inFlight` at a time. */
async function repeat(step: () => Promise<unknown>, calls: number, inFlight: number): Promise<void> {
  let started = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (started++ < calls) await step();
    }),
  );
}

/** Process CPU (ms) per call of `step` and calls per second, after a warm-up of an eighth as many. */
async function cpuPerCall(step: () => Promise<unknown>, calls: number, inFlight: number, onStart = async () => undefined) {
  await repeat(step, Math.ceil(calls / 8), inFlight);
  await onStart();
  const before = process.cpuUsage();
  const started = performance.now();
  await repeat(step, calls, inFlight);
  const used = process.cpuUsage(before);
  return { cpuMs: (used.user + used.system) / 1000 / calls, perSecond: calls / ((performance.now() - started) / 1000) };
}

async function loginTransaction(databaseUrl: string): Promise<void> {
  const applicationName = `bench-login-steps-${process.pid}`;
  const db = new Database({ url: databaseUrl, poolMax: 10, applicationName });
  const monitor = new Database({ url: databaseUrl, poolMax: 1, applicationName: 'bench-login-steps-monitor' });
  try {
    const uow = new PgUnitOfWork(db);
    const userId = randomUUID();
    const email = `steps.${userId.slice(0, 8)}@example.com`;
    await createRepositories(db).users.create({
      id: userId,
      email,
      passwordHash: '$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo',
      firstName: 'Ada',
      lastName: 'Lovelace',
      role: 'user',
      createdAt: new Date(),
    });
    const login = () => {
      const now = new Date();
      const later = new Date(now.getTime() + 3_600_000);
      const sessionId = randomUUID();
      const context = {
        ipAddress: '192.0.2.10',
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Firefox/140.0',
        requestId: randomUUID(),
      };
      const audit: AuditEntry = {
        id: randomUUID(),
        eventType: 'user.login',
        eventCategory: 'authentication',
        severity: 'info',
        userId,
        actorType: 'user',
        actorIdentifier: email,
        action: 'login',
        resourceType: 'user',
        resourceId: userId,
        ...context,
        sessionId,
        metadata: { required_role: null, password_rehashed: false },
        previousState: null,
        newState: null,
        status: 'success',
        failureReason: null,
        retentionUntil: later,
        isSensitive: false,
        createdAt: now,
      };
      const event = {
        id: randomUUID(),
        type: 'user.logged_in',
        userId,
        occurredAt: now,
        payload: { email },
        metadata: { request_id: context.requestId, ip_address: context.ipAddress, actor_id: userId, actor_type: 'user' },
      } as DomainEvent;
      return uow.run(async (repositories) => {
        await repositories.sessions.create(
          {
            id: sessionId,
            userId,
            ipAddress: context.ipAddress,
            userAgent: context.userAgent,
            createdAt: now,
            expiresAt: later,
            absoluteExpiresAt: later,
          },
          { id: randomUUID(), tokenHash: randomUUID().replace(/-/g, '').padEnd(64, '0'), createdAt: now, expiresAt: later },
        );
        await repositories.loginDevices.record(userId, { browser: 'Firefox', os: 'Linux', network: '192.0.2.0/24' }, now);
        await repositories.audit.append(audit);
        await repositories.outbox.append(event);
      });
    };
    let ticksBefore = 0;
    const measured = await cpuPerCall(login, TRANSACTIONS, IN_FLIGHT, async () => {
      ticksBefore = await backendTicks(monitor, applicationName);
    });
    const postgresMs = (((await backendTicks(monitor, applicationName)) - ticksBefore) * 1000) / USER_HZ / TRANSACTIONS;
    console.log(
      `login transaction (${TRANSACTIONS}, ${IN_FLIGHT} in flight): node ${measured.cpuMs.toFixed(3)} ms, ` +
        `PostgreSQL ${postgresMs.toFixed(3)} ms of CPU each; ${Math.round(measured.perSecond)}/s`,
    );
  } finally {
    await db.close();
    await monitor.close();
  }
}

async function accessToken(): Promise<void> {
  const ring = await KeyRing.generateEphemeral();
  const key = ring.activeKey();
  const clock = { now: () => new Date() };
  const service = new JwtAccessTokenService(ring, { issuer: 'pandora-exchange', audience: 'pandora-exchange-api', ttlMs: 900_000 }, clock);
  const subject = {
    userId: randomUUID(),
    email: 'ada@example.com',
    role: 'user' as const,
    sessionId: randomUUID(),
    authentication: { amr: ['pwd' as const], aal: 1 as const, authTime: new Date() },
  };
  const byJose = () => {
    const iat = Math.floor(Date.now() / 1000);
    return new SignJWT({
      email: subject.email,
      role: subject.role,
      sid: subject.sessionId,
      token_type: 'access',
      amr: ['pwd'],
      aal: 1,
      auth_time: iat,
    })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'at+jwt' })
      .setIssuer('pandora-exchange')
      .setAudience('pandora-exchange-api')
      .setSubject(subject.userId)
      .setJti(randomUUID())
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(iat + 900)
      .sign(key.signingKey);
  };
  const rounds: string[] = [];
  for (const [label, sign] of [
    ['jose SignJWT', byJose],
    ['JwtAccessTokenService', () => service.issue(subject)],
    ['JwtAccessTokenService', () => service.issue(subject)],
    ['jose SignJWT', byJose],
  ] as const) {
    rounds.push(`${label} ${((await cpuPerCall(sign, TOKENS, 1)).cpuMs * 1000).toFixed(0)} µs`);
  }
  console.log(`ES256 access token, CPU per token (A B B A): ${rounds.join(', ')}`);
}

async function main(): Promise<void> {
  const infra = await createPrivateInfrastructure(newRunId(), (line) => console.error(line));
  try {
    await loginTransaction(infra.databaseUrl);
    await accessToken();
  } finally {
    await infra.dispose();
  }
}

void main();
