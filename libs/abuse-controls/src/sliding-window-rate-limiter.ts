import { randomBytes } from 'node:crypto';
import type { Cluster, default as Redis } from 'ioredis';
import { digest } from './hashing';

export interface RateLimitRule {
  /** Names the limit in keys, metrics and logs: ip, user, login, register. */
  name: string;
  /** Whose budget this is (an IP, a user id, "ip|email"); hashed before it reaches Redis. */
  subject: string;
  limit: number;
  windowMs: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until a slot frees up (the oldest counted request leaves the window). */
  resetSeconds: number;
  /** True when Redis could not be asked and the request was let through (fail open). */
  degraded: boolean;
}

/**
 * Exact sliding window (a sorted set of request times per subject), decided in one Lua script so
 * that replicas sharing Redis can never race: trim, count, admit, expire, report. Time comes from
 * Redis (`TIME`), so replicas with skewed clocks agree (a test may pass its own clock instead, ARGV[4]).
 * Refused requests are not counted: a client that stops gets its budget back after one window,
 * however hard it hammered.
 */
const SCRIPT = `
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local member = ARGV[3]
local now = tonumber(ARGV[4])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
local allowed = 0
if count < limit then
  redis.call('ZADD', key, now, member)
  count = count + 1
  allowed = 1
end
redis.call('PEXPIRE', key, window)
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
local reset = window
if oldest[2] then reset = tonumber(oldest[2]) + window - now end
return {allowed, limit - count, reset}
`;

type WithCommand = (Redis | Cluster) & {
  pandoraSlidingWindow(key: string, limit: number, windowMs: number, member: string, nowMs: string): Promise<[number, number, number]>;
};

export interface RateLimiterObserver {
  rejected(limit: string): void;
  degraded(limit: string, error: Error): void;
}

export class SlidingWindowRateLimiter {
  private readonly redis: WithCommand;

  /** `clock`: milliseconds since the epoch, for tests that move time; by default Redis's own clock. */
  constructor(
    redis: Redis | Cluster,
    private readonly observer: RateLimiterObserver = { rejected: () => undefined, degraded: () => undefined },
    private readonly clock?: () => number,
  ) {
    redis.defineCommand('pandoraSlidingWindow', { numberOfKeys: 1, lua: SCRIPT });
    this.redis = redis as WithCommand;
  }

  async check(rule: RateLimitRule): Promise<RateLimitDecision> {
    const key = `ratelimit:${rule.name}:${digest(rule.subject)}`;
    const now = this.clock?.();
    const member = `${now ?? Date.now()}-${randomBytes(6).toString('base64url')}`;
    try {
      const [allowed, remaining, resetMs] = await this.redis.pandoraSlidingWindow(
        key,
        rule.limit,
        rule.windowMs,
        member,
        now === undefined ? '' : String(now),
      );
      const decision = {
        allowed: allowed === 1,
        limit: rule.limit,
        remaining: Math.max(0, remaining),
        resetSeconds: Math.max(1, Math.ceil(resetMs / 1000)),
        degraded: false,
      };
      if (!decision.allowed) this.observer.rejected(rule.name);
      return decision;
    } catch (error) {
      // Fail open (ARCHITECTURE.md, Redis failure policy): availability of logins and reads wins
      // over rate limiting while Redis is away; account throttling has its own fallback.
      this.observer.degraded(rule.name, error as Error);
      return { allowed: true, limit: rule.limit, remaining: rule.limit, resetSeconds: Math.ceil(rule.windowMs / 1000), degraded: true };
    }
  }
}
