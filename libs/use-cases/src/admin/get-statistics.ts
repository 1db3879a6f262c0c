import type { KycStatus } from '@pandora/domain';
import type { Ports } from '../ports';

export interface UserServiceStatistics {
  totalUsers: number;
  activeSessions: number;
  usersByKycStatus: Record<KycStatus, number>;
}

export type GetStatisticsPorts = Pick<Ports, 'repositories' | 'clock'>;

/** Headline numbers for the admin dashboard (non-deleted users; live sessions). */
export class GetStatistics {
  constructor(private readonly deps: GetStatisticsPorts) {}

  async execute(): Promise<UserServiceStatistics> {
    const [users, activeSessions] = await Promise.all([
      this.deps.repositories.users.statistics(),
      this.deps.repositories.sessions.countActive(this.deps.clock.now()),
    ]);
    return { totalUsers: users.total, activeSessions, usersByKycStatus: users.byKycStatus };
  }
}
