import type { LinkPage, LinkPageField } from '@pandora/http-kit';

const mfaCodeField: LinkPageField = {
  name: 'mfa_code',
  label: 'Authentication code',
  type: 'text',
  autocomplete: 'one-time-code',
  required: false,
  inputMode: 'text',
  hint: 'Only if two-step verification is on: a code from your authenticator app, or a recovery code.',
};

/** The pages of the links in user-api's mails (docs/mail.md#links-and-tokens). */
export const MAIL_LINK_PAGES: LinkPage[] = [
  {
    path: '/verify-email',
    title: 'Confirm your email address',
    intro: 'Press the button to confirm that this address belongs to you.',
    button: 'Confirm my email address',
    action: '/api/v1/auth/email/verify',
    success: 'Thank you: your email address is confirmed. You can close this page.',
  },
  {
    path: '/reset-password',
    title: 'Choose a new password',
    intro: 'Choose a new password for your account. Every device signed in to it will be signed out.',
    button: 'Set the new password',
    action: '/api/v1/auth/password/reset',
    fields: [
      {
        name: 'new_password',
        label: 'New password',
        type: 'password',
        autocomplete: 'new-password',
        required: true,
        hint: 'At least 8 characters; long passphrases are best.',
      },
      mfaCodeField,
    ],
    success: 'Your password is changed. Sign in with the new password.',
  },
  {
    path: '/confirm-email',
    title: 'Confirm your new email address',
    intro: 'Press the button to make this address the sign-in address of your account.',
    button: 'Confirm my new address',
    action: '/api/v1/auth/email/confirm',
    success: 'Your email address is changed. Sign in with the new address from now on.',
  },
  {
    path: '/freeze-account',
    title: 'Freeze your account',
    intro:
      'If you did not do what the mail describes, freeze your account now: every device signed in to it is signed out, every link we mailed you stops working, and nobody can sign in until our support team has checked the account with you.',
    button: 'Freeze my account',
    action: '/api/v1/auth/account/freeze',
    success: 'Your account is frozen and every session is signed out. Contact our support team to get back in.',
  },
];
