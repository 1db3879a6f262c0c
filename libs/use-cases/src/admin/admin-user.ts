import type { User } from '@pandora/domain';
import type { Ports } from '../ports';

/** A user as the admin API shows it: the row, and when the login lock on its email ends (null: none). */
export interface AdminUser extends User {
  lockedUntil: Date | null;
}

export type AdminUserViewPorts = Pick<Ports, 'loginThrottle'>;

/**
 * The admin view of a user. Every admin use case that answers with users goes through here: the
 * lock lives in the login throttle (Redis), not on the row, so an answer built from the row alone
 * would claim "not locked" for a locked account. A throttle that cannot answer reads as no lock
 * (the lock itself still applies to logins).
 */
export async function withLoginLock(deps: AdminUserViewPorts, user: User): Promise<AdminUser> {
  return { ...user, lockedUntil: await deps.loginThrottle.lockedUntil(user.email).catch(() => null) };
}

export function withLoginLocks(deps: AdminUserViewPorts, users: User[]): Promise<AdminUser[]> {
  return Promise.all(users.map((user) => withLoginLock(deps, user)));
}
