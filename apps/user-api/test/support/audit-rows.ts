import { auditLogs, type AuditLogRow } from '@pandora/data-access';
import type { TableRows } from '@pandora/data-access/testing';
import type { RegisteredUser } from './fixtures';

/** The only audit row of `eventType` about `userId` (docs/audit-trail.md: exactly one per action). */
export async function onlyAuditRow(rows: TableRows, userId: string, eventType: string): Promise<AuditLogRow> {
  const found = await rows.find(auditLogs, { userId, eventType });
  if (found.length !== 1) throw new Error(`expected one ${eventType} audit row for ${userId}, found ${found.length}`);
  return found[0] as AuditLogRow;
}

/**
 * docs/audit-trail.md: an audit row never holds a password, token or hash. Checks the whole row for the
 * user's own secrets and for anything shaped like one (a JWT, a refresh token, a PHC hash).
 */
export function expectNoSecretIn(row: AuditLogRow, user: RegisteredUser, extraSecrets: string[] = []): void {
  const text = JSON.stringify(row);
  for (const secret of [user.password, user.accessToken, user.refreshToken, ...extraSecrets]) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\./);
  expect(text).not.toMatch(/rt_[\w-]{20,}/);
  expect(text).not.toMatch(/\$argon2/);
}
