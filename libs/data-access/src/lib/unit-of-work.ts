import type { Repositories, UnitOfWork } from '@pandora/domain';
import { PgAuditLogReader } from './audit-log.reader';
import { PgAuditLogWriter } from './audit-log.writer';
import { PgLoginDeviceRepository } from './login-device.repository';
import { PgMailQueue } from './mail/mail-queue.writer';
import { PgMfaChallengeRepository } from './mfa-challenge.repository';
import { PgOneTimeTokenRepository } from './one-time-token.repository';
import { PgOutboxWriter } from './outbox/outbox.writer';
import { PgRecoveryCodeRepository } from './recovery-code.repository';
import { PgSessionRepository } from './session.repository';
import type { Database, QueryRunner } from './sql/database';
import { PgUserMfaRepository } from './user-mfa.repository';
import { PgUserRepository } from './user.repository';

/** The repositories over `db`: the pool for reads outside transactions, or one transaction. */
export function createRepositories(db: QueryRunner): Repositories {
  return {
    users: new PgUserRepository(db),
    sessions: new PgSessionRepository(db),
    mfa: new PgUserMfaRepository(db),
    recoveryCodes: new PgRecoveryCodeRepository(db),
    mfaChallenges: new PgMfaChallengeRepository(db),
    audit: new PgAuditLogWriter(db),
    auditTrail: new PgAuditLogReader(db),
    outbox: new PgOutboxWriter(db),
    mail: new PgMailQueue(db),
    oneTimeTokens: new PgOneTimeTokenRepository(db),
    loginDevices: new PgLoginDeviceRepository(db),
  };
}

/**
 * One PostgreSQL transaction per `run` (READ COMMITTED; row locks where a use case needs them).
 * Whatever `work` throws rolls back the state change, its audit rows and its outbox events together.
 */
export class PgUnitOfWork implements UnitOfWork {
  constructor(
    private readonly db: Database,
    /** Runs after each commit, before the result is handed back: the read caches' sync (read-your-writes). */
    private readonly afterCommit: () => Promise<void> = () => Promise.resolve(),
  ) {}

  async run<T>(work: (repositories: Repositories) => Promise<T>): Promise<T> {
    const result = await this.db.transaction((tx) => work(createRepositories(tx)));
    await this.afterCommit();
    return result;
  }
}
