import type { Session } from '@pandora/domain';
import type { Ports } from '../ports';

export type ListSessionsPorts = Pick<Ports, 'repositories' | 'clock'>;

/** Active sessions of a user, newest first. */
export class ListSessions {
  constructor(private readonly deps: ListSessionsPorts) {}

  execute(userId: string): Promise<Session[]> {
    return this.deps.repositories.sessions.listActive(userId, this.deps.clock.now());
  }
}
