import type { KycStatus } from '@pandora/domain';
import type { UseCaseDeps } from '../use-case-deps';

export interface UserServiceStatistics {
  totalUsers: number;
  activeSessions: number;
  usersByKycStatus: Record<KycStatus, number>;
}

/** Headline numbers for the admin dashboard (non-deleted users; live sessions). */
export class GetStatistics {
  constructor(private readonly deps: Pick<UseCaseDeps, 'repositories' | 'clock'>) {}

  async execute(): Promise<UserServiceStatistics> {
    const [users, activeSessions] = await Promise.all([
      this.deps.repositories.users.statistics(),
      this.deps.repositories.sessions.countActive(this.deps.clock.now()),
    ]);
    return { totalUsers: users.total, activeSessions, usersByKycStatus: users.byKycStatus };
  }
}
