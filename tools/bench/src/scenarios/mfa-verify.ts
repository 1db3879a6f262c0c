import { randomUUID } from 'node:crypto';
import { AesGcmSecretBox, RandomOneTimeSecrets } from '@pandora/auth';
import { Secret, TOTP } from 'otpauth';
import type { BenchContext } from '../context';
import { perOperation } from '../cpu-accounting';
import { runHttpLoad } from '../http-load';
import { measuredHttpRound } from '../http-round';
import { fmt, sideJson, verdict, type ScenarioOutcome } from '../report';
import { summarizeSide, type RoundResult } from '../rounds';
import { BENCH_PASSWORD } from '../users';

/** One account per connection: the login throttle holds one attempt in flight per account. */
export const MFA_CONNECTIONS = 16;
/** Whatever the warm-up measured, seed at least this many challenges per account and round. */
const MIN_SEED_PER_ACCOUNT = 50;

interface MfaAccount {
  id: string;
  email: string;
  /** Challenge tokens and recovery codes seeded for this account, each used once. */
  pairs: Array<{ mfaToken: string; code: string }>;
}

async function postJson(url: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (response.status >= 300) throw new Error(`${url} answered ${response.status}: ${JSON.stringify(json)}`);
  return json;
}

/** Registers an account and turns TOTP on through the real API (setup, then confirm with a code of the secret). */
async function enrolAccount(publicUrl: string, index: number): Promise<MfaAccount> {
  const email = `bench.mfa.${index}@example.com`;
  const registered = await postJson(`${publicUrl}/api/v1/auth/register`, {
    email,
    password: BENCH_PASSWORD,
    first_name: 'Bench',
    last_name: `Mfa ${index}`,
  });
  const token = registered.access_token as string;
  const setup = await postJson(`${publicUrl}/api/v1/users/me/mfa/totp/setup`, { password: BENCH_PASSWORD }, token);
  const code = new TOTP({ secret: Secret.fromBase32(setup.secret as string), algorithm: 'SHA1', digits: 6, period: 30 }).generate();
  await postJson(`${publicUrl}/api/v1/users/me/mfa/totp/confirm`, { code }, token);
  return { id: (registered.user as { id: string }).id, email, pairs: [] };
}

/**
 * POST /api/v1/auth/mfa/verify: the second step of a login for an account with TOTP on — the
 * challenge read, the account attempt on the login throttle, one transaction (challenge locked and
 * spent, the code used up, session + refresh token, audit row, outbox event), an ES256 access token
 * and the access log line. No Argon2 on this step. 16 connections, one account each.
 *
 * Every verify needs an unspent challenge and an unused code. The password step that issues a
 * challenge costs an Argon2 verify, and a TOTP code is accepted once per 30-second step per account,
 * so the bench seeds both into the run's private database: challenge rows (SHA-256 of a fresh
 * token, as the service stores them) and recovery codes (keyed digests made with the run's own
 * MFA key through the service's own AesGcmSecretBox). The recovery-code check is one conditional
 * UPDATE by a unique index; the TOTP check it stands for is an AES-GCM open, an HMAC and one
 * compare-and-set UPDATE — the same order of cost. No baseline: the figures stand beside login's.
 */
export async function mfaVerifyScenario(ctx: BenchContext): Promise<ScenarioOutcome> {
  const { durations } = ctx.options;
  const api = await ctx.startUserApi('user-api.mfa_verify');
  const secrets = new RandomOneTimeSecrets();
  const box = new AesGcmSecretBox([ctx.infra.mfaKey]);
  try {
    const accounts: MfaAccount[] = [];
    // Four at a time, as the other scenarios register their accounts.
    for (let first = 0; first < MFA_CONNECTIONS; first += 4) {
      const batch = Array.from({ length: Math.min(4, MFA_CONNECTIONS - first) }, (_, offset) =>
        enrolAccount(api.publicUrl, first + offset),
      );
      accounts.push(...(await Promise.all(batch)));
    }

    const seed = async (perAccount: number) => {
      const challenges: { id: string[]; user: string[]; hash: string[] } = { id: [], user: [], hash: [] };
      const codes: { id: string[]; user: string[]; hash: string[]; kid: string[] } = { id: [], user: [], hash: [], kid: [] };
      for (const account of accounts) {
        for (let index = account.pairs.length; index < perAccount; index++) {
          const { token, hash } = secrets.challengeToken();
          const code = secrets.recoveryCode();
          const digest = box.digest(code, account.id);
          challenges.id.push(randomUUID());
          challenges.user.push(account.id);
          challenges.hash.push(hash);
          codes.id.push(randomUUID());
          codes.user.push(account.id);
          codes.hash.push(digest.hash);
          codes.kid.push(digest.keyId);
          account.pairs.push({ mfaToken: token, code });
        }
      }
      await ctx.infra.sql(
        `INSERT INTO mfa_challenges (id, user_id, token_hash, created_at, expires_at)
         SELECT id, user_id, token_hash, now(), now() + interval '5 minutes' FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS c(id, user_id, token_hash)`,
        [challenges.id, challenges.user, challenges.hash],
      );
      await ctx.infra.sql(
        `INSERT INTO mfa_recovery_codes (id, user_id, code_hash, key_id, generation, created_at)
         SELECT c.id, c.user_id, c.code_hash, c.key_id,
                (SELECT max(generation) FROM mfa_recovery_codes r WHERE r.user_id = c.user_id), now()
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) AS c(id, user_id, code_hash, key_id)`,
        [codes.id, codes.user, codes.hash, codes.kid],
      );
    };
    let exhausted = 0;
    const load = (durationMs: number) =>
      runHttpLoad({
        url: `${api.publicUrl}/api/v1/auth/mfa/verify`,
        method: 'POST',
        connections: MFA_CONNECTIONS,
        durationMs,
        headers: { 'content-type': 'application/json' },
        bodyPerRequest: (connection) => {
          const account = accounts[connection % accounts.length] as MfaAccount;
          return () => {
            const pair = account.pairs.pop();
            if (!pair) exhausted++;
            // Out of seeded pairs: a spent token, answered 401 and counted as a failure.
            return JSON.stringify({ mfa_token: pair?.mfaToken ?? 'mfa_spent', code: pair?.code ?? 'AAAAA-AAAAA' });
          };
        },
      });

    ctx.log(`mfa_verify: ${MFA_CONNECTIONS} accounts with TOTP on; warm-up ${durations.warmupMs} ms`);
    await seed(Math.max(MIN_SEED_PER_ACCOUNT, 100));
    const warm = await load(durations.warmupMs);
    // Enough for a round at three times the warm-up's rate (a cold warm-up on a loaded machine is slow).
    const perAccount = Math.max(MIN_SEED_PER_ACCOUNT, Math.ceil((3 * warm.okPerSecond * durations.roundMs) / 1000 / MFA_CONNECTIONS));
    const results: RoundResult[] = [];
    for (let round = 0; round < durations.rounds; round++) {
      await seed(perAccount);
      results.push(await measuredHttpRound(ctx, api.process, () => load(durations.roundMs)));
    }
    const side = summarizeSide(results);
    ctx.log(
      `mfa_verify: ${fmt.rate(side.throughput, 'verifies/s')}, p99 ${fmt.ms(side.latency.p99)}, ${side.failed} failed ` +
        `(${JSON.stringify(side.failures)}; ${exhausted} requests found no seeded challenge left)`,
    );
    const ok = side.failed === 0;
    return {
      name: 'mfa_verify',
      summary: {
        verifies_per_s: side.throughput,
        p50_ms: side.latency.p50,
        p99_ms: side.latency.p99,
        connections: MFA_CONNECTIONS,
        failed: side.failed,
        target_met: ok,
      },
      details: {
        measured: sideJson(side),
        connections: MFA_CONNECTIONS,
        second_factor: 'recovery codes seeded per request (see the scenario): single use, like every TOTP step',
        cpu_ms_per_verify: perOperation(side.cpu, side.ok),
        requests_without_a_seeded_challenge: exhausted,
      },
      rows: [
        {
          metric: `verifies/s (${MFA_CONNECTIONS} conns)`,
          measured: fmt.rate(side.throughput, '/s'),
          baseline: '',
          ratio: '',
          target: 'no failures',
          verdict: verdict(ok),
        },
        { metric: 'p50', measured: fmt.ms(side.latency.p50), baseline: '', ratio: '', target: '', verdict: '' },
        { metric: 'p99', measured: fmt.ms(side.latency.p99), baseline: '', ratio: '', target: '', verdict: '' },
      ],
    };
  } finally {
    await api.process.stop();
  }
}
