/**
 * Mail is never sent inside a request: a change that needs a mail queues it in the same transaction
 * (docs/mail.md). The courier in event-relay renders and delivers it later, at least once.
 */

/** Every mail the service sends; each is one template with a text and an HTML part. */
export const MAIL_TEMPLATES = [
  'verify_email',
  'password_reset',
  'email_change_confirm',
  'email_change_notice',
  'password_changed',
  'mfa_enabled',
  'mfa_disabled',
  'new_device_login',
] as const;
export type MailTemplate = (typeof MAIL_TEMPLATES)[number];

/** What a template may show: plain values only, escaped by the renderer. */
export type MailData = Record<string, string | number | boolean | null>;

export interface QueuedMail {
  id: string;
  /** The account the mail is about (its anti-phishing code is added when queued); null for none. */
  userId: string | null;
  template: MailTemplate;
  /** The address it goes to (for an email change: the new address). */
  recipient: string;
  /** Non-secret values the template shows (names, times, IP, user agent). Kept for the audit of delivery. */
  data: MailData;
  /**
   * The one-time token the mail's link carries, or null. Stored only until the message is delivered
   * or abandoned, then scrubbed: a sent mail keeps no live secret in the database.
   */
  linkToken: string | null;
  createdAt: Date;
}

export interface MailQueue {
  /**
   * Queues one message; delivered by the courier after the transaction commits. When `userId` names
   * an account with an anti-phishing code, the queue copies it into `data.anti_phishing_code`: every
   * mail to the user carries it, whichever use case queued the mail.
   */
  enqueue(mail: QueuedMail): Promise<void>;
  /** How many mails of these templates were queued for the account since `since` (the per-account mail caps). */
  countSince(userId: string, templates: readonly MailTemplate[], since: Date): Promise<number>;
}
