import { formatRecoveryCode, RECOVERY_CODE_COUNT, type Repositories } from '@pandora/domain';
import type { Ports } from '../ports';

/**
 * A new set of recovery codes for the user, replacing the old set (inside the caller's transaction).
 * Only their keyed digests are stored; the codes themselves exist in this answer and nowhere else.
 */
export async function issueRecoveryCodes(
  deps: Pick<Ports, 'oneTimeSecrets' | 'secretBox' | 'ids'>,
  repositories: Repositories,
  userId: string,
  now: Date,
): Promise<string[]> {
  const codes = new Set<string>();
  while (codes.size < RECOVERY_CODE_COUNT) codes.add(deps.oneTimeSecrets.recoveryCode());
  await repositories.recoveryCodes.replaceAll(
    userId,
    [...codes].map((code) => ({ id: deps.ids.newId(), digest: deps.secretBox.digest(code, userId) })),
    now,
  );
  return [...codes].map(formatRecoveryCode);
}
