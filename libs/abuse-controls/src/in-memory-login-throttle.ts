import { randomBytes } from 'node:crypto';
import type { LoginAttemptReservation, LoginThrottle } from '@pandora/domain';
import type { LoginThrottleSettings } from './redis-login-throttle';

interface State {
  failures: number;
  level: number;
  lockedUntil: number;
  inflight: Map<string, number>;
  touchedAt: number;
}

const RESERVATION_TTL_MS = 30_000;
const STATE_TTL_MS = 24 * 3_600_000;

/**
 * The same rules kept in this process only: the fallback while Redis is unreachable. Callers give
 * it a stricter threshold, because each replica counts on its own.
 */
export class InMemoryLoginThrottle implements LoginThrottle {
  private readonly states = new Map<string, State>();

  constructor(
    private readonly settings: LoginThrottleSettings,
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  async reserve(email: string): Promise<LoginAttemptReservation> {
    const now = this.now();
    const state = this.state(email, now);
    if (state.lockedUntil > now) return { allowed: false, retryAfterSeconds: Math.ceil((state.lockedUntil - now) / 1000) };
    for (const [id, at] of state.inflight) if (at <= now - RESERVATION_TTL_MS) state.inflight.delete(id);
    if (state.failures + state.inflight.size >= this.settings.threshold) return { allowed: false, retryAfterSeconds: 1 };
    const reservation = randomBytes(9).toString('base64url');
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

  async recordSuccess(email: string): Promise<void> {
    this.states.delete(email);
  }

  async release(email: string, reservation: string): Promise<void> {
    this.states.get(email)?.inflight.delete(reservation);
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
      state = { failures: 0, level: 0, lockedUntil: 0, inflight: new Map(), touchedAt: now };
      this.states.set(email, state);
      if (this.states.size > this.maxEntries) this.states.delete(this.states.keys().next().value as string);
    }
    state.touchedAt = now;
    return state;
  }
}
