/** Who did something, as the audit trail and event metadata record it. */
export type ActorType = 'user' | 'admin' | 'service' | 'system' | 'anonymous';

export interface Actor {
  type: ActorType;
  /** The user id of a user/admin actor; null otherwise. */
  id: string | null;
  /** A human-readable handle: an email, a service name. Never a secret. */
  identifier: string | null;
}

export const SYSTEM_ACTOR: Actor = { type: 'system', id: null, identifier: 'user-service' };
