import type { MailData, MailTemplate } from '@pandora/domain';

/** The pages of the public listener a mail's link opens; each shows a form that POSTs the token. */
export type LinkPath = '/verify-email' | '/reset-password' | '/confirm-email' | '/freeze-account';

/** The values a template reads, already made safe for a text part (see `plainValue`). */
export interface TemplateInput {
  data: MailData;
  recipient: string;
  /** True when the message carries a token, i.e. the mail will show its link. */
  hasLink: boolean;
}

export interface TemplateSpec {
  /** Fixed per template: no user data in a header. */
  subject: string;
  heading: string;
  /** Plain sentences; the layout escapes them for the HTML part. */
  body: (input: TemplateInput) => string[];
  link: { path: LinkPath; label: string };
  /** What to say under the link (its lifetime, what to do if the mail was unexpected). */
  afterLink: (input: TemplateInput) => string[];
  /** The request's facts shown as a list (security notices). */
  details: DetailKey[];
}

export const DETAIL_LABELS = {
  at: 'When',
  ip_address: 'IP address',
  user_agent: 'Device',
  new_email: 'New address',
} as const;
export type DetailKey = keyof typeof DETAIL_LABELS;

const MAX_VALUE_LENGTH = 300;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/**
 * A data value as plain text: control characters (line breaks included) become spaces, so a
 * user-typed name cannot start a fake paragraph or header in the text part; long values are cut.
 * HTML escaping happens later, in the layout, for everything it writes.
 */
export function plainValue(data: MailData, key: string): string | null {
  const value = data[key];
  if (value === null || value === undefined || value === '') return null;
  const text = String(value).replace(CONTROL_CHARACTERS, ' ').trim();
  if (text === '') return null;
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH)}…` : text;
}

function greeting(input: TemplateInput): string {
  const name = plainValue(input.data, 'first_name');
  return name ? `Hello ${name},` : 'Hello,';
}

const IF_NOT_YOU_FREEZE =
  'If this was not you, freeze your account with the button above: it signs out every session and blocks sign-in until our support team has checked the account with you.';
const IF_NOT_YOU_SUPPORT = 'If this was not you, contact our support team at once.';

function securityAdvice(input: TemplateInput): string[] {
  return [input.hasLink ? IF_NOT_YOU_FREEZE : IF_NOT_YOU_SUPPORT];
}

const FREEZE_LINK = { path: '/freeze-account', label: 'This was not me: freeze my account' } as const;
const SECURITY_DETAILS: DetailKey[] = ['at', 'ip_address', 'user_agent'];

/** One entry per template: adding a template to the domain's list fails to compile until it has its text here. */
export const TEMPLATES: Record<MailTemplate, TemplateSpec> = {
  verify_email: {
    subject: 'Confirm your email address',
    heading: 'Confirm your email address',
    body: (input) => [
      greeting(input),
      'Please confirm that this address belongs to you, so that we can reach you about your Pandora Exchange account.',
    ],
    link: { path: '/verify-email', label: 'Confirm my email address' },
    afterLink: () => ['The link works once and expires in 24 hours. If you did not create an account, ignore this mail.'],
    details: [],
  },
  password_reset: {
    subject: 'Reset your password',
    heading: 'Reset your password',
    body: (input) => [greeting(input), 'We received a request to reset the password of your Pandora Exchange account.'],
    link: { path: '/reset-password', label: 'Choose a new password' },
    afterLink: () => [
      'The link works once and expires in 30 minutes. If you did not ask for it, ignore this mail: your password stays as it is.',
    ],
    details: [],
  },
  email_change_confirm: {
    subject: 'Confirm your new email address',
    heading: 'Confirm your new email address',
    body: (input) => [
      greeting(input),
      `Please confirm that ${input.recipient} should become the sign-in address of your Pandora Exchange account. Until you do, the old address stays in use.`,
    ],
    link: { path: '/confirm-email', label: 'Confirm my new address' },
    afterLink: () => ['The link works once and expires in 24 hours. If you did not ask for this change, ignore this mail.'],
    details: [],
  },
  email_change_notice: {
    subject: 'A change of your email address was requested',
    heading: 'A change of your email address was requested',
    body: (input) => {
      const newEmail = plainValue(input.data, 'new_email');
      return [
        greeting(input),
        newEmail
          ? `Someone signed in to your Pandora Exchange account asked to change its email address to ${newEmail}.`
          : 'Someone signed in to your Pandora Exchange account asked to change its email address.',
        'The change takes effect only once it is confirmed from the new address.',
      ];
    },
    link: FREEZE_LINK,
    afterLink: securityAdvice,
    details: ['at', 'ip_address', 'user_agent'],
  },
  password_changed: {
    subject: 'Your password was changed',
    heading: 'Your password was changed',
    body: (input) => [
      greeting(input),
      plainValue(input.data, 'how') === 'reset'
        ? 'The password of your Pandora Exchange account was reset with a recovery link, and every session was signed out.'
        : 'The password of your Pandora Exchange account was changed.',
    ],
    link: FREEZE_LINK,
    afterLink: securityAdvice,
    details: SECURITY_DETAILS,
  },
  mfa_enabled: {
    subject: 'Two-step verification was turned on',
    heading: 'Two-step verification was turned on',
    body: (input) => [greeting(input), 'Signing in to your Pandora Exchange account now needs a code from your authenticator app.'],
    link: FREEZE_LINK,
    afterLink: securityAdvice,
    details: SECURITY_DETAILS,
  },
  mfa_disabled: {
    subject: 'Two-step verification was turned off',
    heading: 'Two-step verification was turned off',
    body: (input) => [
      greeting(input),
      plainValue(input.data, 'by') === 'admin'
        ? 'Our support team turned off two-step verification for your Pandora Exchange account, at your request.'
        : 'Two-step verification was turned off for your Pandora Exchange account: signing in needs only the password now.',
    ],
    link: FREEZE_LINK,
    afterLink: securityAdvice,
    details: SECURITY_DETAILS,
  },
  new_device_login: {
    subject: 'New sign-in to your account',
    heading: 'New sign-in to your account',
    body: (input) => [greeting(input), 'Your Pandora Exchange account was signed in to from a device or network we have not seen before.'],
    link: FREEZE_LINK,
    afterLink: securityAdvice,
    details: SECURITY_DETAILS,
  },
};

/** Whether a template is a security notice (its link, when present, is the freeze switch). */
export function isSecurityNotice(template: MailTemplate): boolean {
  return TEMPLATES[template].link.path === '/freeze-account';
}
