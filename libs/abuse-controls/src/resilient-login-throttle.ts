import type { LoginAttemptReservation, LoginSource, LoginThrottle } from '@pandora/domain';
import { InMemoryLoginThrottle } from './in-memory-login-throttle';
import type { LoginThrottleSettings } from './redis-login-throttle';

const FALLBACK_PREFIX = 'local:';

/**
 * Redis first; while Redis cannot answer, an in-process throttle with half the budgets takes
 * over (ARCHITECTURE.md, Redis failure policy): logins keep working and password guessing stays
 * throttled, more strictly, per replica. Reservations remember which store granted them.
 */
export class ResilientLoginThrottle implements LoginThrottle {
  private readonly fallback: InMemoryLoginThrottle;

  constructor(
    private readonly primary: LoginThrottle,
    settings: LoginThrottleSettings,
    private readonly onDegraded: (error: Error) => void = () => undefined,
  ) {
    const half = (budget: number) => Math.max(1, Math.ceil(budget / 2));
    this.fallback = new InMemoryLoginThrottle({
      ...settings,
      threshold: half(settings.threshold),
      perSource: settings.perSource ? { ...settings.perSource, limit: half(settings.perSource.limit) } : null,
    });
  }

  async reserve(email: string, source?: LoginSource): Promise<LoginAttemptReservation> {
    try {
      return await this.primary.reserve(email, source);
    } catch (error) {
      this.onDegraded(error as Error);
      const local = await this.fallback.reserve(email, source);
      return local.allowed ? { allowed: true, reservation: `${FALLBACK_PREFIX}${local.reservation}` } : local;
    }
  }

  recordFailure(email: string, reservation: string) {
    return this.route(reservation, (store, id) => store.recordFailure(email, id), { lockedUntil: null, lockLevel: 0 });
  }

  recordSuccess(email: string, reservation: string) {
    return this.route(reservation, (store, id) => store.recordSuccess(email, id), undefined);
  }

  release(email: string, reservation: string) {
    return this.route(reservation, (store, id) => store.release(email, id), undefined);
  }

  async clear(email: string): Promise<void> {
    await this.fallback.clear(email);
    await this.primary.clear(email);
  }

  async lockedUntil(email: string): Promise<Date | null> {
    const local = await this.fallback.lockedUntil(email);
    try {
      return (await this.primary.lockedUntil(email)) ?? local;
    } catch {
      return local;
    }
  }

  private async route<T>(reservation: string, action: (store: LoginThrottle, id: string) => Promise<T>, onError: T): Promise<T> {
    if (reservation.startsWith(FALLBACK_PREFIX)) return action(this.fallback, reservation.slice(FALLBACK_PREFIX.length));
    try {
      return await action(this.primary, reservation);
    } catch (error) {
      // Redis went away between reserve and verdict: the reservation expires on its own there.
      this.onDegraded(error as Error);
      return onError;
    }
  }
}
