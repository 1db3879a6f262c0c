import type { Actor, Principal } from '@pandora/domain';

/**
 * The one place a signed-in caller becomes the actor of audit rows and event metadata. `as` is the
 * API they came through, not their role: an administrator changing their own profile acts as a
 * user; the admin API records them as an admin.
 */
export function actorOf(principal: Principal, as: 'user' | 'admin'): Actor {
  return { type: as, id: principal.userId, identifier: principal.email };
}
