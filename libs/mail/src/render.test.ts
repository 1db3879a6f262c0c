import { MAIL_TEMPLATES, type MailTemplate } from '@pandora/domain';
import { escapeHtml, mailLink, renderMail, type RenderableMail } from './render';
import { senderDomain } from './smtp-sender';

const WEB = 'https://exchange.example';

function mail(template: MailTemplate, overrides: Partial<RenderableMail> = {}): RenderableMail {
  return { template, recipient: 'ada@example.com', data: { first_name: 'Ada' }, linkToken: 'tok_123', ...overrides };
}

const EXPECTED_PATHS: Record<MailTemplate, string> = {
  verify_email: '/verify-email',
  password_reset: '/reset-password',
  email_change_confirm: '/confirm-email',
  email_change_notice: '/freeze-account',
  password_changed: '/freeze-account',
  mfa_enabled: '/freeze-account',
  mfa_disabled: '/freeze-account',
  new_device_login: '/freeze-account',
};

describe('rendering a queued mail', () => {
  it.each(MAIL_TEMPLATES.map((template) => [template]))(
    'renders %s with a subject, a text part and an HTML part carrying its link',
    (template) => {
      const rendered = renderMail(mail(template), { publicWebUrl: WEB });
      const link = `${WEB}${EXPECTED_PATHS[template]}?token=tok_123`;
      expect(rendered.subject.length).toBeGreaterThan(5);
      expect(rendered.link).toBe(link);
      expect(rendered.text).toContain(link);
      expect(rendered.html).toContain(`href="${link}"`);
      expect(rendered.text).toContain('Hello Ada,');
      expect(rendered.html).toContain('Hello Ada,');
    },
  );

  it('builds links from PUBLIC_WEB_URL with or without a trailing slash and URL-encodes the token', () => {
    expect(mailLink('https://x.example/', '/verify-email', 'a+b/c=')).toBe('https://x.example/verify-email?token=a%2Bb%2Fc%3D');
    expect(mailLink('https://x.example/app', '/reset-password', 't')).toBe('https://x.example/app/reset-password?token=t');
  });

  it('leaves the link out when the message has no token', () => {
    const rendered = renderMail(mail('new_device_login', { linkToken: null }), { publicWebUrl: WEB });
    expect(rendered.link).toBeNull();
    expect(rendered.text).not.toContain('freeze-account');
    expect(rendered.html).not.toContain('<a ');
    expect(rendered.text).toContain('contact our support team');
  });

  it('escapes every user-typed value in the HTML part', () => {
    const hostile = '<script>alert("x")</script> & \'quoted\'';
    const rendered = renderMail(
      mail('email_change_notice', {
        data: {
          first_name: hostile,
          new_email: '"><img src=x onerror=alert(1)>@evil.example',
          user_agent: '<b>UA</b>',
          ip_address: '203.0.113.9',
        },
      }),
      { publicWebUrl: WEB },
    );
    expect(rendered.html).not.toContain('<script>');
    expect(rendered.html).not.toContain('<img');
    expect(rendered.html).not.toContain('<b>UA</b>');
    expect(rendered.html).toContain(escapeHtml(hostile));
    expect(rendered.html).toContain('&#60;b&#62;UA&#60;/b&#62;');
    // The text part shows the values as they were typed (it is not HTML).
    expect(rendered.text).toContain(`Hello ${hostile},`);
  });

  it('escapes a hostile PUBLIC_WEB_URL or token inside the href attribute', () => {
    const rendered = renderMail(mail('verify_email', { linkToken: '"><x' }), { publicWebUrl: 'https://x.example/"onmouseover="a' });
    expect(rendered.html).not.toMatch(/href="[^"]*"onmouseover/);
    expect(rendered.link).toContain('token=%22%3E%3Cx');
  });

  it('keeps a user-typed line break from starting a paragraph of its own in the text part', () => {
    const rendered = renderMail(mail('verify_email', { data: { first_name: 'Ada\r\n\r\nClick evil.example now' } }), { publicWebUrl: WEB });
    expect(rendered.text).toContain('Hello Ada Click evil.example now,');
    expect(rendered.text).not.toMatch(/^Click evil/m);
  });

  it('shows the anti-phishing code verbatim in both parts when the data carries one', () => {
    const rendered = renderMail(mail('password_changed', { data: { first_name: 'Ada', anti_phishing_code: 'Blue42Fox' } }), {
      publicWebUrl: WEB,
    });
    expect(rendered.text.split('\n')[0]).toBe('Your anti-phishing code: Blue42Fox');
    expect(rendered.html).toContain('<strong>Blue42Fox</strong>');
  });

  it('says nothing about an anti-phishing code when the user has none', () => {
    const rendered = renderMail(mail('password_changed'), { publicWebUrl: WEB });
    expect(rendered.text).not.toContain('anti-phishing');
    expect(rendered.html).not.toContain('anti-phishing');
  });

  it('lists the request facts of a security notice with a readable time', () => {
    const rendered = renderMail(
      mail('new_device_login', {
        data: { first_name: 'Ada', at: '2026-12-03T06:20:00.000Z', ip_address: '198.51.100.7', user_agent: 'Firefox/140' },
      }),
      { publicWebUrl: WEB },
    );
    expect(rendered.text).toContain('When: 2026-12-03 06:20:00 UTC');
    expect(rendered.text).toContain('IP address: 198.51.100.7');
    expect(rendered.text).toContain('Device: Firefox/140');
  });

  it('loads no remote resource and carries no tracking', () => {
    for (const template of MAIL_TEMPLATES) {
      const { html } = renderMail(mail(template), { publicWebUrl: WEB });
      expect(html).not.toMatch(/<img|<link|<script|url\(/i);
    }
  });

  it('names the recipient address in the email change confirmation', () => {
    const rendered = renderMail(mail('email_change_confirm', { recipient: 'new@example.com' }), { publicWebUrl: WEB });
    expect(rendered.text).toContain('new@example.com should become the sign-in address');
  });
});

describe('the sender domain of Message-IDs', () => {
  it('comes from MAIL_FROM with or without a display name', () => {
    expect(senderDomain('Pandora Exchange <no-reply@pandora.local>')).toBe('pandora.local');
    expect(senderDomain('bot@mail.example')).toBe('mail.example');
    expect(senderDomain('nonsense')).toBe('localhost');
  });
});
