/**
 * The freeze switch (docs/accounts.md, "Security notices and the freeze switch"): every security
 * notice carries a link that freezes the account — every session revoked, every pending one-time
 * token dead, logins refused with ACCOUNT_FROZEN after the right password — until an administrator
 * unfreezes it.
 */

/** How long the freeze link of a notice works: long enough for a mail read after a weekend. */
export const FREEZE_LINK_TTL_MS = 7 * 24 * 3_600_000;

export function isFrozen(user: { frozenAt: Date | null }): boolean {
  return user.frozenAt !== null;
}
