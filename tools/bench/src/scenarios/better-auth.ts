import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { PRODUCTION_ARGON2, type BenchContext } from '../context';
import { perOperation } from '../cpu-accounting';
import { runHttpLoad, type HttpLoadResult } from '../http-load';
import { measuredHttpRound } from '../http-round';
import { loginLoad } from '../login-load';
import { ensurePeerInstalled } from '../peers';
import { firstMessage, spawnNode, type BenchProcess } from '../processes';
import { comparisonJson, fmt, verdict, type ScenarioOutcome, type TableRow } from '../report';
import { alternate, type Comparison, type SideSummary } from '../rounds';
import { ratio, round } from '../stats';
import { accessTokens, BENCH_PASSWORD, benchUsers } from '../users';
import { USERS_ME_CONNECTIONS } from './users-me';

const PEER_USER_COUNT = 16;
const TARGETS = { login: 1.2, session: 3, sessionCookieCache: 2 } as const;

/** What each side does per request, as the report states it beside the figures. */
export const PER_REQUEST = {
  ours_login:
    'POST /api/v1/auth/login: zod validation, account throttle (Redis scripts), user read, Argon2id verify, one transaction (session + refresh token, audit row, outbox event), ES256 access token, JSON access log line',
  peer_sign_in:
    'POST /api/auth/sign-in/email: body validation, origin check, user and credential-account reads, Argon2id verify (same binding and parameters), session row insert, HMAC-signed session cookie; no audit row, no event, no log line',
  ours_users_me:
    'GET /api/v1/users/me: ES256 bearer token (verified once, then remembered), session check and user read from the read cache (invalidated by PostgreSQL, never more than 1 s behind), JSON access log line, metrics',
  peer_get_session:
    'GET /api/auth/get-session (default): HMAC check of the session cookie, session + user read from PostgreSQL on every request; no log line',
  peer_get_session_cookie_cache:
    'GET /api/auth/get-session (cookie cache, maxAge 5 min): session and user decoded from a signed cookie, no database read — a revoked session keeps working up to 5 minutes',
} as const;

interface PeerProcess {
  process: BenchProcess;
  url: string;
}

type Load = (durationMs: number) => Promise<HttpLoadResult>;

interface PeerSession {
  cookie: string;
}

async function startPeer(
  ctx: BenchContext,
  folder: string,
  databaseUrl: string,
  secret: string,
  cookieCache: boolean,
): Promise<PeerProcess> {
  const name = cookieCache ? 'peer.better-auth.cookie-cache' : 'peer.better-auth';
  const process = spawnNode(
    name,
    [path.join(folder, 'server.mjs')],
    {
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      BETTER_AUTH_SECRET: secret,
      PEER_COOKIE_CACHE: cookieCache ? '1' : '0',
      ...PRODUCTION_ARGON2,
    },
    ctx.dirs,
    { ipc: true },
  );
  const ready = await firstMessage<{ port: number }>(process);
  return { process, url: `http://127.0.0.1:${ready.port}` };
}

async function peerPost(peer: PeerProcess, route: string, body: unknown): Promise<Response> {
  // A browser sends Origin with every POST; better-auth refuses a POST without one.
  const response = await fetch(`${peer.url}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: peer.url },
    body: JSON.stringify(body),
  });
  if (response.status !== 200) throw new Error(`${peer.process.name} ${route} answered ${response.status}: ${await response.text()}`);
  return response;
}

const peerEmail = (index: number) => `bench.peer.${index}@example.com`;

async function peerSessions(peer: PeerProcess, count: number): Promise<PeerSession[]> {
  const sessions: PeerSession[] = [];
  for (let index = 0; index < count; index++) {
    const response = await peerPost(peer, '/api/auth/sign-in/email', {
      email: peerEmail(index % PEER_USER_COUNT),
      password: BENCH_PASSWORD,
    });
    sessions.push({
      cookie: response.headers
        .getSetCookie()
        .map((cookie) => cookie.split(';')[0])
        .join('; '),
    });
  }
  return sessions;
}

/**
 * Ours against better-auth (installed by `--peers` into tools/bench/peers/better-auth with its own
 * lockfile), on the same PostgreSQL server (a database of its own) with Argon2id through the same
 * binding at the same parameters, ABBA rounds as everywhere else; ratio = ours / theirs:
 *   login (2 × cores connections, one account each) vs POST /api/auth/sign-in/email;
 *   GET /users/me (50 connections, one session each) vs GET /api/auth/get-session, default config
 *   and with its cookie cache.
 */
export async function betterAuthScenario(ctx: BenchContext): Promise<ScenarioOutcome> {
  const { durations } = ctx.options;
  const folder = await ensurePeerInstalled('better_auth', ctx.log);
  const database = await ctx.infra.createSideDatabase('better_auth');
  const secret = randomBytes(32).toString('base64url');
  const api = await ctx.startUserApi('user-api.better_auth');
  const running: BenchProcess[] = [api.process];
  try {
    const users = await benchUsers(api.publicUrl);
    const tokens = await accessTokens(api.publicUrl, USERS_ME_CONNECTIONS);
    let peer = await startPeer(ctx, folder, database.url, secret, false);
    running.push(peer.process);
    for (let index = 0; index < PEER_USER_COUNT; index++) {
      await peerPost(peer, '/api/auth/sign-up/email', { email: peerEmail(index), password: BENCH_PASSWORD, name: `Bench Peer ${index}` });
    }
    const concurrency = 2 * ctx.cores;

    const ourLogin: Load = loginLoad(api.publicUrl, users, concurrency);
    const peerSignIn =
      (target: PeerProcess): Load =>
      (durationMs) =>
        runHttpLoad({
          url: `${target.url}/api/auth/sign-in/email`,
          method: 'POST',
          connections: concurrency,
          durationMs,
          headers: { 'content-type': 'application/json', origin: target.url },
          perConnection: Array.from({ length: PEER_USER_COUNT }, (_, index) => ({
            body: JSON.stringify({ email: peerEmail(index), password: BENCH_PASSWORD }),
          })),
        });
    const ourUsersMe: Load = (durationMs) =>
      runHttpLoad({
        url: `${api.publicUrl}/api/v1/users/me`,
        method: 'GET',
        connections: USERS_ME_CONNECTIONS,
        durationMs,
        perConnection: tokens.map((token) => ({ headers: { authorization: `Bearer ${token}` } })),
      });
    const peerGetSession =
      (target: PeerProcess, sessions: PeerSession[]): Load =>
      (durationMs) =>
        runHttpLoad({
          url: `${target.url}/api/auth/get-session`,
          method: 'GET',
          connections: USERS_ME_CONNECTIONS,
          durationMs,
          perConnection: sessions.map((session) => ({ headers: { cookie: session.cookie } })),
        });

    const compare = async (label: string, theirs: PeerProcess, theirLoad: Load, ourLoad: Load) => {
      ctx.log(`better_auth ${label}: warm-up ${durations.warmupMs} ms each side`);
      await theirLoad(durations.warmupMs);
      await ourLoad(durations.warmupMs);
      const comparison = await alternate(
        durations.rounds,
        () => measuredHttpRound(ctx, theirs.process, () => theirLoad(durations.roundMs)),
        () => measuredHttpRound(ctx, api.process, () => ourLoad(durations.roundMs)),
      );
      ctx.log(
        `better_auth ${label}: ours ${fmt.rate(comparison.measured.throughput, '/s')} vs theirs ${fmt.rate(comparison.baseline.throughput, '/s')} → ${fmt.ratio(comparison.ratio)}`,
      );
      return comparison;
    };

    const login = await compare('login vs sign-in/email', peer, peerSignIn(peer), ourLogin);
    const session = await compare(
      'users/me vs get-session',
      peer,
      peerGetSession(peer, await peerSessions(peer, USERS_ME_CONNECTIONS)),
      ourUsersMe,
    );
    await peer.process.stop();
    peer = await startPeer(ctx, folder, database.url, secret, true);
    running.push(peer.process);
    const cached = await compare(
      'users/me vs get-session (cookie cache)',
      peer,
      peerGetSession(peer, await peerSessions(peer, USERS_ME_CONNECTIONS)),
      ourUsersMe,
    );

    const part = (comparison: Comparison, target: number) => ({
      ...comparisonJson(comparison),
      target_ratio: target,
      target_met: comparison.ratio >= target && comparison.measured.failed === 0 && comparison.baseline.failed === 0,
      cpu_ms_per_request_ours: perOperation(comparison.measured.cpu, comparison.measured.ok),
      cpu_ms_per_request_theirs: perOperation(comparison.baseline.cpu, comparison.baseline.ok),
    });
    const details = {
      peer: 'better-auth 1.7.25 (tools/bench/peers/better-auth/package-lock.json)',
      argon2: 'both sides: @node-rs/argon2 2.2.1, Argon2id m=65536 t=1 p=4',
      concurrency_login: concurrency,
      connections_session: USERS_ME_CONNECTIONS,
      per_request: PER_REQUEST,
      login: part(login, TARGETS.login),
      get_session: part(session, TARGETS.session),
      get_session_cookie_cache: part(cached, TARGETS.sessionCookieCache),
    };
    const rows: TableRow[] = [
      ...rowsOf(`login vs sign-in/email (c=${concurrency})`, login, TARGETS.login, details.login.target_met),
      ...rowsOf(`users/me vs get-session (${USERS_ME_CONNECTIONS} conns)`, session, TARGETS.session, details.get_session.target_met),
      ...rowsOf('users/me vs get-session, cookie cache', cached, TARGETS.sessionCookieCache, details.get_session_cookie_cache.target_met),
    ];
    return {
      name: 'better_auth',
      summary: {
        login_ratio: login.ratio,
        get_session_ratio: session.ratio,
        get_session_cookie_cache_ratio: cached.ratio,
        logins_per_s: login.measured.throughput,
        peer_sign_ins_per_s: login.baseline.throughput,
        users_me_per_s: session.measured.throughput,
        peer_get_session_per_s: session.baseline.throughput,
        peer_get_session_cookie_cache_per_s: cached.baseline.throughput,
        target_met: details.login.target_met && details.get_session.target_met && details.get_session_cookie_cache.target_met,
      },
      details,
      rows,
      notes: [
        'better_auth: ratio = ours / better-auth ("measured" is ours, "baseline" is better-auth); for CPU, theirs / ours. Per request:',
        ...Object.entries(PER_REQUEST).map(([side, text]) => `  ${side}: ${text}`),
      ],
    };
  } finally {
    for (const processInfo of running.reverse()) await processInfo.stop();
  }
}

/** CPU per successful request of the app (all threads and helpers), PostgreSQL and Redis, ms; NaN without accounting. */
function cpuOf(side: SideSummary): number {
  const cpu = perOperation(side.cpu, side.ok);
  return cpu ? round((cpu.app ?? NaN) + (cpu.postgres ?? NaN) + (cpu.redis ?? NaN)) : NaN;
}

function rowsOf(metric: string, comparison: Comparison, target: number, met: boolean): TableRow[] {
  return [
    {
      metric,
      measured: fmt.rate(comparison.measured.throughput, '/s'),
      baseline: fmt.rate(comparison.baseline.throughput, '/s'),
      ratio: fmt.ratio(comparison.ratio),
      target: `ratio ≥ ${target}`,
      verdict: verdict(met),
    },
    {
      // CPU per request moves far less with the machine's load than throughput does.
      metric: '  CPU ms/request (app, PostgreSQL, Redis)',
      measured: fmt.ms(cpuOf(comparison.measured)),
      baseline: fmt.ms(cpuOf(comparison.baseline)),
      ratio: fmt.ratio(ratio(cpuOf(comparison.baseline), cpuOf(comparison.measured))),
      target: '',
      verdict: '',
    },
    {
      metric: '  p99',
      measured: fmt.ms(comparison.measured.latency.p99),
      baseline: fmt.ms(comparison.baseline.latency.p99),
      ratio: '',
      target: '',
      verdict: '',
    },
  ];
}
