import { AppError } from '@pandora/errors';
import type { MailTemplate, OneTimeToken, OneTimeTokenKind, Repositories, User } from '@pandora/domain';
import type { Ports } from '../ports';

export type LinkMailPorts = Pick<Ports, 'oneTimeSecrets' | 'ids' | 'clock'>;

/** Which token each linked mail carries. */
const TOKEN_KIND_OF: Record<'verify_email' | 'password_reset' | 'email_change_confirm', OneTimeTokenKind> = {
  verify_email: 'email_verification',
  password_reset: 'password_reset',
  email_change_confirm: 'email_change',
};

export interface LinkMail {
  user: Pick<User, 'id' | 'firstName'>;
  template: keyof typeof TOKEN_KIND_OF;
  /** The address the link proves: the account's, or the new one of an email change. */
  recipient: string;
  ttlMs: number;
  at: Date;
}

/**
 * Issues a one-time token and queues the mail whose link carries it, inside the caller's
 * transaction: the token, the mail and the change that asked for them commit together. Issuing
 * supersedes the user's unused tokens of the same kind, so only the newest link works.
 * Only the token's hash is kept in `one_time_tokens`; the mail holds the token itself until the
 * courier has delivered it (docs/mail.md#links-and-tokens).
 */
export async function queueLinkMail(deps: LinkMailPorts, repositories: Repositories, mail: LinkMail): Promise<void> {
  const { token, hash } = deps.oneTimeSecrets.linkToken();
  await repositories.oneTimeTokens.issue({
    id: deps.ids.newId(),
    userId: mail.user.id,
    kind: TOKEN_KIND_OF[mail.template],
    email: mail.recipient,
    tokenHash: hash,
    createdAt: mail.at,
    expiresAt: new Date(mail.at.getTime() + mail.ttlMs),
  });
  await repositories.mail.enqueue({
    id: deps.ids.newId(),
    userId: mail.user.id,
    template: mail.template satisfies MailTemplate,
    recipient: mail.recipient,
    data: { first_name: mail.user.firstName, expires_at: new Date(mail.at.getTime() + mail.ttlMs).toISOString() },
    linkToken: token,
    createdAt: mail.at,
  });
}

/**
 * The mail whose link proves the account's own address, the same at registration and when the
 * user asks again: to the address the account has now, valid for the verification TTL.
 */
export function queueVerificationMail(
  deps: LinkMailPorts & Pick<Ports, 'mailFlows'>,
  repositories: Repositories,
  user: Pick<User, 'id' | 'firstName' | 'email'>,
  at: Date,
): Promise<void> {
  return queueLinkMail(deps, repositories, {
    user,
    template: 'verify_email',
    recipient: user.email,
    ttlMs: deps.mailFlows.emailVerificationTtlMs,
    at,
  });
}

/** The stored hash of a presented link token; a string that cannot be one of ours is as dead as a used one. */
export function linkTokenHashOf(deps: Pick<Ports, 'oneTimeSecrets'>, token: string): string {
  const hash = deps.oneTimeSecrets.linkTokenHash(token);
  if (hash === null) throw new AppError('INVALID_OR_EXPIRED_TOKEN');
  return hash;
}

/**
 * Uses a link token in the caller's transaction (one conditional UPDATE: of two concurrent uses
 * exactly one gets it) and returns it with its account, locked. Unknown, used, expired and
 * superseded tokens, and tokens whose account is gone or whose address is no longer the account's
 * (`expectAccountEmail`), are all 400 INVALID_OR_EXPIRED_TOKEN. A refusal thrown later in the same
 * transaction rolls the use back: the link still works.
 */
export async function consumeLinkToken(
  deps: Pick<Ports, 'oneTimeSecrets' | 'clock'>,
  repositories: Repositories,
  token: string,
  kind: OneTimeTokenKind,
  options: { expectAccountEmail: boolean },
): Promise<{ token: OneTimeToken; user: User }> {
  const hash = linkTokenHashOf(deps, token);
  const used = await repositories.oneTimeTokens.consume(hash, kind, deps.clock.now());
  if (!used) throw new AppError('INVALID_OR_EXPIRED_TOKEN');
  const user = await repositories.users.lockById(used.userId);
  if (!user || (options.expectAccountEmail && user.email !== used.email)) throw new AppError('INVALID_OR_EXPIRED_TOKEN');
  return { token: used, user };
}

/** The per-account mail cap: how many of `templates` the account may still cause now (Infinity without a cap). */
export async function mailsLeft(
  deps: Pick<Ports, 'mailFlows' | 'clock'>,
  repositories: Repositories,
  userId: string,
  templates: readonly MailTemplate[],
): Promise<number> {
  const cap = deps.mailFlows.mailCap;
  if (!cap) return Infinity;
  const since = new Date(deps.clock.now().getTime() - cap.windowMs);
  return cap.limit - (await repositories.mail.countSince(userId, templates, since));
}

/** The 429 of a capped mail request; the window is the longest wait. */
export function mailCapReached(deps: Pick<Ports, 'mailFlows'>): AppError {
  const windowMs = deps.mailFlows.mailCap?.windowMs ?? 0;
  return new AppError('RATE_LIMITED', 'Too many mails were asked for this account; try again later.', {
    retryAfterSeconds: Math.max(1, Math.ceil(windowMs / 1000)),
  });
}
