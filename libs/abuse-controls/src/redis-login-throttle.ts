import { randomBytes } from 'node:crypto';
import type { LoginAttemptReservation, LoginThrottle } from '@pandora/domain';
import type Redis from 'ioredis';
import { digest } from './hashing';

export interface LoginThrottleSettings {
  /** Consecutive failures that trigger a lock (LOGIN_LOCKOUT_THRESHOLD). */
  threshold: number;
  /** First lock duration (LOGIN_LOCKOUT_BASE); each further lock doubles it… */
  baseMs: number;
  /** …up to this (LOGIN_LOCKOUT_MAX). */
  maxMs: number;
}

/** A reservation whose process died without reporting back stops counting after this. */
const RESERVATION_TTL_MS = 30_000;
/** Escalation is remembered for a day after the last failure. */
const STATE_TTL_MS = 24 * 3_600_000;

const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// KEYS: state hash, in-flight reservations zset. A lock, or failures plus attempts in flight that
// already reach the threshold, refuse the attempt; otherwise it is reserved.
const RESERVE = `${NOW}
local locked_until = tonumber(redis.call('HGET', KEYS[1], 'locked_until') or '0')
if locked_until > now then return {0, locked_until - now} end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[3]))
local failures = tonumber(redis.call('HGET', KEYS[1], 'failures') or '0')
if failures + redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[1]) then return {0, 1000} end
redis.call('ZADD', KEYS[2], now, ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return {1, 0}`;

// KEYS: state, reservations. ARGV: reservation, threshold, base, max, state ttl.
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

const SUCCESS = `redis.call('DEL', KEYS[1]) redis.call('ZREM', KEYS[2], ARGV[1]) return 1`;

type WithCommands = Redis & {
  pandoraLoginReserve(state: string, inflight: string, threshold: number, reservation: string, ttl: number): Promise<[number, number]>;
  pandoraLoginFailure(
    state: string,
    inflight: string,
    reservation: string,
    threshold: number,
    base: number,
    max: number,
    ttl: number,
  ): Promise<[number, number]>;
  pandoraLoginSuccess(state: string, inflight: string, reservation: string): Promise<number>;
};

/** The shared (all replicas) login throttle; every decision is one atomic Lua script. */
export class RedisLoginThrottle implements LoginThrottle {
  private readonly redis: WithCommands;

  constructor(
    redis: Redis,
    private readonly settings: LoginThrottleSettings,
  ) {
    redis.defineCommand('pandoraLoginReserve', { numberOfKeys: 2, lua: RESERVE });
    redis.defineCommand('pandoraLoginFailure', { numberOfKeys: 2, lua: FAILURE });
    redis.defineCommand('pandoraLoginSuccess', { numberOfKeys: 2, lua: SUCCESS });
    this.redis = redis as WithCommands;
  }

  async reserve(email: string): Promise<LoginAttemptReservation> {
    const [state, inflight] = keys(email);
    const reservation = randomBytes(9).toString('base64url');
    const [allowed, retryMs] = await this.redis.pandoraLoginReserve(
      state,
      inflight,
      this.settings.threshold,
      reservation,
      RESERVATION_TTL_MS,
    );
    return allowed === 1 ? { allowed: true, reservation } : { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(retryMs / 1000)) };
  }

  async recordFailure(email: string, reservation: string): Promise<{ lockedUntil: Date | null; lockLevel: number }> {
    const [state, inflight] = keys(email);
    const { threshold, baseMs, maxMs } = this.settings;
    const [lockedUntil, level] = await this.redis.pandoraLoginFailure(state, inflight, reservation, threshold, baseMs, maxMs, STATE_TTL_MS);
    return { lockedUntil: lockedUntil > 0 ? new Date(lockedUntil) : null, lockLevel: level };
  }

  async recordSuccess(email: string, reservation: string): Promise<void> {
    const [state, inflight] = keys(email);
    await this.redis.pandoraLoginSuccess(state, inflight, reservation);
  }

  async release(email: string, reservation: string): Promise<void> {
    await this.redis.zrem(keys(email)[1], reservation);
  }

  async clear(email: string): Promise<void> {
    await this.redis.del(...keys(email));
  }

  async lockedUntil(email: string): Promise<Date | null> {
    const value = Number(await this.redis.hget(keys(email)[0], 'locked_until'));
    return value > Date.now() ? new Date(value) : null;
  }
}

function keys(email: string): [string, string] {
  // One hash tag per email: both keys land in the same Redis Cluster slot, as Lua requires.
  const tag = digest('login', email);
  return [`login-throttle:{${tag}}:state`, `login-throttle:{${tag}}:inflight`];
}
