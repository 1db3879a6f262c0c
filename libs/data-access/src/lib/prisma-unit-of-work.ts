import type { Repositories, UnitOfWork } from '@pandora/domain';
import type { PrismaClient } from '@prisma/client';
import { PrismaAuditLogReader } from './audit-log.reader';
import { PrismaAuditLogWriter } from './audit-log.writer';
import { PrismaOutboxWriter } from './outbox.writer';
import type { Db } from './prisma-client';
import { PrismaSessionRepository } from './session.repository';
import { PrismaUserRepository } from './user.repository';

export function createRepositories(db: Db): Repositories {
  return {
    users: new PrismaUserRepository(db),
    sessions: new PrismaSessionRepository(db),
    audit: new PrismaAuditLogWriter(db),
    auditTrail: new PrismaAuditLogReader(db),
    outbox: new PrismaOutboxWriter(db),
  };
}

/**
 * One interactive PostgreSQL transaction per `run` (READ COMMITTED; row locks where a use case
 * needs them). Whatever `work` throws rolls back the state change, its audit rows and its outbox
 * events together.
 */
export class PrismaUnitOfWork implements UnitOfWork {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly options: { maxWaitMs?: number; timeoutMs?: number } = {},
  ) {}

  run<T>(work: (repositories: Repositories) => Promise<T>): Promise<T> {
    return this.prisma.$transaction((tx) => work(createRepositories(tx)), {
      isolationLevel: 'ReadCommitted',
      maxWait: this.options.maxWaitMs ?? 5_000,
      timeout: this.options.timeoutMs ?? 15_000,
    });
  }
}
