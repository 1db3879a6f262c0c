import { randomBytes } from 'node:crypto';
import type { LoginAttemptReservation, LoginLimit, LoginSource, LoginThrottle } from '@pandora/domain';
import type { Cluster, default as Redis } from 'ioredis';
import { digest } from './hashing';

export interface LoginThrottleSettings {
  /** Consecutive failures that trigger a lock (LOGIN_LOCKOUT_THRESHOLD). */
  threshold: number;
  /** First lock duration (LOGIN_LOCKOUT_BASE); each further lock doubles it… */
  baseMs: number;
  /** …up to this (LOGIN_LOCKOUT_MAX). */
  maxMs: number;
  /**
   * Failed logins per (client IP, email) in a sliding window (RATE_LIMIT_LOGIN_REQUESTS /
   * RATE_LIMIT_LOGIN_WINDOW); null when rate limits are off (RATE_LIMIT_ENABLED=false).
   */
  perSource?: { limit: number; windowMs: number } | null;
}

/** A reservation whose process died without reporting back stops counting after this. */
const RESERVATION_TTL_MS = 30_000;
/** Escalation is remembered for a day after the last failure. */
const STATE_TTL_MS = 24 * 3_600_000;

const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/*
 * Three keys per email, one hash tag, so every script below runs on one Redis Cluster slot:
 *   state     hash: failures, level, locked_until (the account budget)
 *   inflight  zset: reservations not yet decided, scored by time
 *   sources   zset, every score 0, members "<ip digest>:<15-digit ms>:<id>": the (IP, email)
 *             window of every IP at once. Lexicographic ranges select one IP's members
 *             ("[tag:" to "(tag;", ';' following ':') and, the time being fixed-width, its old ones.
 * A reservation is its member name, so each later step knows the IP without being told. Admin
 * unlock is one DEL of the three keys.
 */

// KEYS: state, inflight, sources. ARGV: threshold, id, reservation ttl, ip digest ('' for no
// source), source limit, source window. Refuses with {0, retry ms, limit} or reserves {1, 0, member}.
const RESERVE = `${NOW}
local locked_until = tonumber(redis.call('HGET', KEYS[1], 'locked_until') or '0')
if locked_until > now then return {0, locked_until - now, 'account'} end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[3]))
local failures = tonumber(redis.call('HGET', KEYS[1], 'failures') or '0')
if failures + redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[1]) then return {0, 1000, 'account'} end
local tag = ARGV[4]
local member = (tag == '' and '-' or tag) .. ':' .. string.format('%015d', now) .. ':' .. ARGV[2]
if tag ~= '' then
  local window = tonumber(ARGV[6])
  local from, to = '[' .. tag .. ':', '(' .. tag .. ';'
  redis.call('ZREMRANGEBYLEX', KEYS[3], from, '(' .. tag .. ':' .. string.format('%015d', now - window))
  if redis.call('ZLEXCOUNT', KEYS[3], from, to) >= tonumber(ARGV[5]) then
    local oldest = redis.call('ZRANGEBYLEX', KEYS[3], from, to, 'LIMIT', 0, 1)[1]
    return {0, tonumber(string.sub(oldest, #tag + 2, #tag + 16)) + window - now, 'ip_and_email'}
  end
  redis.call('ZADD', KEYS[3], 0, member)
  redis.call('PEXPIRE', KEYS[3], window)
end
redis.call('ZADD', KEYS[2], now, member)
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return {1, 0, member}`;

// KEYS: state, inflight. ARGV: reservation, threshold, base, max, state ttl. The reservation's
// member in sources stays: it is now one failure of that IP.
const FAILURE = `${NOW}
redis.call('ZREM', KEYS[2], ARGV[1])
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local level = tonumber(redis.call('HGET', KEYS[1], 'level') or '0')
local locked_until = 0
local ttl = tonumber(ARGV[5])
if failures >= tonumber(ARGV[2]) then
  level = level + 1
  local duration = math.floor(math.min(tonumber(ARGV[3]) * (2 ^ (level - 1)), tonumber(ARGV[4])))
  locked_until = now + duration
  redis.call('HSET', KEYS[1], 'failures', 0, 'level', level, 'locked_until', locked_until)
  if duration > ttl then ttl = duration end
end
redis.call('PEXPIRE', KEYS[1], ttl)
return {locked_until, level}`;

// KEYS: state, inflight, sources. ARGV: reservation. A success resets the account and this IP's window.
const SUCCESS = `redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
local tag = string.match(ARGV[1], '^([^:]+):')
if tag and tag ~= '-' then redis.call('ZREMRANGEBYLEX', KEYS[3], '[' .. tag .. ':', '(' .. tag .. ';') end
return 1`;

// KEYS: inflight, sources. ARGV: reservation.
const RELEASE = `redis.call('ZREM', KEYS[1], ARGV[1]) redis.call('ZREM', KEYS[2], ARGV[1]) return 1`;

type WithCommands = (Redis | Cluster) & {
  pandoraLoginReserve(
    state: string,
    inflight: string,
    sources: string,
    threshold: number,
    id: string,
    ttl: number,
    sourceTag: string,
    sourceLimit: number,
    sourceWindow: number,
  ): Promise<[number, number, string]>;
  pandoraLoginFailure(
    state: string,
    inflight: string,
    reservation: string,
    threshold: number,
    base: number,
    max: number,
    ttl: number,
  ): Promise<[number, number]>;
  pandoraLoginSuccess(state: string, inflight: string, sources: string, reservation: string): Promise<number>;
  pandoraLoginRelease(inflight: string, sources: string, reservation: string): Promise<number>;
};

/** The shared (all replicas) login throttle; every decision is one atomic Lua script. */
export class RedisLoginThrottle implements LoginThrottle {
  private readonly redis: WithCommands;

  constructor(
    redis: Redis | Cluster,
    private readonly settings: LoginThrottleSettings,
  ) {
    redis.defineCommand('pandoraLoginReserve', { numberOfKeys: 3, lua: RESERVE });
    redis.defineCommand('pandoraLoginFailure', { numberOfKeys: 2, lua: FAILURE });
    redis.defineCommand('pandoraLoginSuccess', { numberOfKeys: 3, lua: SUCCESS });
    redis.defineCommand('pandoraLoginRelease', { numberOfKeys: 2, lua: RELEASE });
    this.redis = redis as WithCommands;
  }

  async reserve(email: string, source?: LoginSource): Promise<LoginAttemptReservation> {
    const { state, inflight, sources } = keys(email);
    const perSource = source ? this.settings.perSource : null;
    const [allowed, retryMs, reservation] = await this.redis.pandoraLoginReserve(
      state,
      inflight,
      sources,
      this.settings.threshold,
      randomBytes(9).toString('base64url'),
      RESERVATION_TTL_MS,
      perSource && source ? sourceTag(source) : '',
      perSource?.limit ?? 0,
      perSource?.windowMs ?? 0,
    );
    if (allowed === 1) return { allowed: true, reservation };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(retryMs / 1000)), refusedBy: reservation as LoginLimit };
  }

  async recordFailure(email: string, reservation: string): Promise<{ lockedUntil: Date | null; lockLevel: number }> {
    const { state, inflight } = keys(email);
    const { threshold, baseMs, maxMs } = this.settings;
    const [lockedUntil, level] = await this.redis.pandoraLoginFailure(state, inflight, reservation, threshold, baseMs, maxMs, STATE_TTL_MS);
    return { lockedUntil: lockedUntil > 0 ? new Date(lockedUntil) : null, lockLevel: level };
  }

  async recordSuccess(email: string, reservation: string): Promise<void> {
    const { state, inflight, sources } = keys(email);
    await this.redis.pandoraLoginSuccess(state, inflight, sources, reservation);
  }

  async release(email: string, reservation: string): Promise<void> {
    const { inflight, sources } = keys(email);
    await this.redis.pandoraLoginRelease(inflight, sources, reservation);
  }

  async clear(email: string): Promise<void> {
    const { state, inflight, sources } = keys(email);
    await this.redis.del(state, inflight, sources);
  }

  async lockedUntil(email: string): Promise<Date | null> {
    const value = Number(await this.redis.hget(keys(email).state, 'locked_until'));
    return value > Date.now() ? new Date(value) : null;
  }
}

function keys(email: string): { state: string; inflight: string; sources: string } {
  // One hash tag per email: all three keys land in the same Redis Cluster slot, as Lua and a multi-key DEL require.
  const tag = digest('login', email);
  return {
    state: `login-throttle:{${tag}}:state`,
    inflight: `login-throttle:{${tag}}:inflight`,
    sources: `login-throttle:{${tag}}:sources`,
  };
}

/** The client IP as it appears in keys: a digest (base64url, so never ':' or ';'). */
export function sourceTag(source: LoginSource): string {
  return digest('login-ip', source.ipAddress ?? 'unknown');
}
