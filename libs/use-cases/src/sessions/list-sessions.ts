import type { Session } from '@pandora/domain';
import type { UseCaseDeps } from '../use-case-deps';

/** Active sessions of a user, newest first. */
export class ListSessions {
  constructor(private readonly deps: Pick<UseCaseDeps, 'repositories' | 'clock'>) {}

  execute(userId: string): Promise<Session[]> {
    return this.deps.repositories.sessions.listActive(userId, this.deps.clock.now());
  }
}
