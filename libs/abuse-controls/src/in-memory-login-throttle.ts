import { randomBytes } from 'node:crypto';
import type { LoginAttemptReservation, LoginSource, LoginThrottle } from '@pandora/domain';
import { sourceTag, type LoginThrottleSettings } from './redis-login-throttle';

interface State {
  failures: number;
  level: number;
  lockedUntil: number;
  inflight: Map<string, number>;
  /** Per client IP (digest): reservation → time. Undecided reservations count until released. */
  sources: Map<string, Map<string, number>>;
  touchedAt: number;
}

const RESERVATION_TTL_MS = 30_000;
const STATE_TTL_MS = 24 * 3_600_000;

/**
 * The same rules kept in this process only: the fallback while Redis is unreachable. Callers give
 * it stricter budgets, because each replica counts on its own.
 */
export class InMemoryLoginThrottle implements LoginThrottle {
  private readonly states = new Map<string, State>();

  constructor(
    private readonly settings: LoginThrottleSettings,
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  async reserve(email: string, source?: LoginSource): Promise<LoginAttemptReservation> {
    const now = this.now();
    const state = this.state(email, now);
    if (state.lockedUntil > now) {
      return { allowed: false, retryAfterSeconds: Math.ceil((state.lockedUntil - now) / 1000), refusedBy: 'account' };
    }
    for (const [id, at] of state.inflight) if (at <= now - RESERVATION_TTL_MS) state.inflight.delete(id);
    if (state.failures + state.inflight.size >= this.settings.threshold)
      return { allowed: false, retryAfterSeconds: 1, refusedBy: 'account' };

    const perSource = source ? this.settings.perSource : null;
    const tag = perSource && source ? sourceTag(source) : '-';
    const reservation = `${tag}:${now}:${randomBytes(9).toString('base64url')}`;
    if (perSource) {
      const window = state.sources.get(tag) ?? new Map<string, number>();
      for (const [id, at] of window) if (at < now - perSource.windowMs) window.delete(id);
      if (window.size >= perSource.limit) {
        const oldest = Math.min(...window.values());
        return {
          allowed: false,
          retryAfterSeconds: Math.max(1, Math.ceil((oldest + perSource.windowMs - now) / 1000)),
          refusedBy: 'ip_and_email',
        };
      }
      window.set(reservation, now);
      state.sources.set(tag, window);
    }
    state.inflight.set(reservation, now);
    return { allowed: true, reservation };
  }

  async recordFailure(email: string, reservation: string): Promise<{ lockedUntil: Date | null; lockLevel: number }> {
    const now = this.now();
    const state = this.state(email, now);
    state.inflight.delete(reservation);
    state.failures += 1;
    if (state.failures < this.settings.threshold) return { lockedUntil: null, lockLevel: state.level };
    state.level += 1;
    state.failures = 0;
    state.lockedUntil = now + Math.min(this.settings.baseMs * 2 ** (state.level - 1), this.settings.maxMs);
    return { lockedUntil: new Date(state.lockedUntil), lockLevel: state.level };
  }

  async recordSuccess(email: string, reservation: string): Promise<void> {
    const state = this.states.get(email);
    if (!state) return;
    const sources = state.sources;
    sources.delete(tagOf(reservation));
    // The account starts again from zero; other IPs' windows for this email stay.
    this.states.set(email, { ...blankState(this.now()), sources });
  }

  async release(email: string, reservation: string): Promise<void> {
    const state = this.states.get(email);
    state?.inflight.delete(reservation);
    state?.sources.get(tagOf(reservation))?.delete(reservation);
  }

  async clear(email: string): Promise<void> {
    this.states.delete(email);
  }

  async lockedUntil(email: string): Promise<Date | null> {
    const lockedUntil = this.states.get(email)?.lockedUntil ?? 0;
    return lockedUntil > this.now() ? new Date(lockedUntil) : null;
  }

  private state(email: string, now: number): State {
    let state = this.states.get(email);
    if (!state || state.touchedAt < now - STATE_TTL_MS) {
      state = blankState(now);
      this.states.set(email, state);
      if (this.states.size > this.maxEntries) this.states.delete(this.states.keys().next().value as string);
    }
    state.touchedAt = now;
    return state;
  }
}

function blankState(now: number): State {
  return { failures: 0, level: 0, lockedUntil: 0, inflight: new Map(), sources: new Map(), touchedAt: now };
}

function tagOf(reservation: string): string {
  return reservation.slice(0, Math.max(0, reservation.indexOf(':')));
}
