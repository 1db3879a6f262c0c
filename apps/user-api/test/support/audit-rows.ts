import type { PrismaClient } from '@pandora/testing';
import type { RegisteredUser } from './fixtures';

type AuditRow = NonNullable<Awaited<ReturnType<PrismaClient['auditLog']['findFirst']>>>;

/** The only audit row of `eventType` about `userId` (docs/audit-trail.md: exactly one per action). */
export async function onlyAuditRow(prisma: PrismaClient, userId: string, eventType: string): Promise<AuditRow> {
  const rows = await prisma.auditLog.findMany({ where: { userId, eventType } });
  if (rows.length !== 1) throw new Error(`expected one ${eventType} audit row for ${userId}, found ${rows.length}`);
  return rows[0] as AuditRow;
}

/**
 * docs/audit-trail.md: an audit row never holds a password, token or hash. Checks the whole row for the
 * user's own secrets and for anything shaped like one (a JWT, a refresh token, a PHC hash).
 */
export function expectNoSecretIn(row: AuditRow, user: RegisteredUser, extraSecrets: string[] = []): void {
  const text = JSON.stringify(row);
  for (const secret of [user.password, user.accessToken, user.refreshToken, ...extraSecrets]) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\./);
  expect(text).not.toMatch(/rt_[\w-]{20,}/);
  expect(text).not.toMatch(/\$argon2/);
}
