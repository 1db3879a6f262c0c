import type { MailData, MailTemplate } from '@pandora/domain';
import { DETAIL_LABELS, plainValue, TEMPLATES, type TemplateInput } from './templates';

/** What the renderer needs of a queued message. */
export interface RenderableMail {
  template: MailTemplate;
  recipient: string;
  data: MailData;
  /** The one-time token of the mail's link; null: the mail has no link. */
  linkToken: string | null;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
  /** The link the mail carries (also in both parts), or null. */
  link: string | null;
}

export interface RenderOptions {
  /** PUBLIC_WEB_URL: the origin (and optional base path) of the pages the links open. */
  publicWebUrl: string;
}

const PRODUCT = 'Pandora Exchange';

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** `{PUBLIC_WEB_URL}{path}?token=…`: the token is URL-encoded, whatever it contains. */
export function mailLink(publicWebUrl: string, path: string, token: string): string {
  return `${publicWebUrl.replace(/\/+$/, '')}${path}?token=${encodeURIComponent(token)}`;
}

/** An ISO timestamp as `2026-12-03 06:20:00 UTC`; anything else unchanged. */
function readableTime(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value)) return value;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

interface Content {
  heading: string;
  antiPhishingCode: string | null;
  body: string[];
  details: Array<{ label: string; value: string }>;
  link: { url: string; label: string } | null;
  afterLink: string[];
}

function textPart(content: Content): string {
  const lines: string[] = [];
  if (content.antiPhishingCode) lines.push(`Your anti-phishing code: ${content.antiPhishingCode}`, '');
  lines.push(content.heading, '='.repeat(content.heading.length), '');
  for (const paragraph of content.body) lines.push(paragraph, '');
  if (content.details.length > 0) {
    for (const detail of content.details) lines.push(`${detail.label}: ${detail.value}`);
    lines.push('');
  }
  if (content.link) lines.push(`${content.link.label}:`, content.link.url, '');
  for (const paragraph of content.afterLink) lines.push(paragraph, '');
  lines.push('--', `${PRODUCT}. This mail was sent automatically; replies are not read.`);
  if (content.antiPhishingCode)
    lines.push('A mail from us always shows your anti-phishing code at the top. Without it, it is not from us.');
  return `${lines.join('\n')}\n`;
}

/** One shared layout: inline styles only, no images, no remote resources, no tracking. */
function htmlPart(content: Content, subject: string): string {
  const e = escapeHtml;
  const paragraph = (text: string) => `<p style="margin:0 0 16px 0;">${e(text)}</p>`;
  const parts: string[] = [];
  if (content.antiPhishingCode) {
    parts.push(
      `<p style="margin:0 0 24px 0;padding:8px 12px;background:#eef4ff;border-radius:4px;">Your anti-phishing code: <strong>${e(content.antiPhishingCode)}</strong></p>`,
    );
  }
  parts.push(`<h1 style="margin:0 0 16px 0;font-size:20px;">${e(content.heading)}</h1>`);
  parts.push(...content.body.map(paragraph));
  if (content.details.length > 0) {
    const rows = content.details
      .map(
        (detail) =>
          `<tr><td style="padding:2px 12px 2px 0;color:#555;">${e(detail.label)}</td><td style="padding:2px 0;">${e(detail.value)}</td></tr>`,
      )
      .join('');
    parts.push(`<table role="presentation" style="margin:0 0 16px 0;border-collapse:collapse;">${rows}</table>`);
  }
  if (content.link) {
    parts.push(
      `<p style="margin:24px 0;"><a href="${e(content.link.url)}" style="display:inline-block;padding:10px 18px;background:#1a56db;color:#ffffff;text-decoration:none;border-radius:4px;">${e(content.link.label)}</a></p>`,
      `<p style="margin:0 0 16px 0;font-size:13px;color:#555;">If the button does not work, copy this address into your browser:<br>${e(content.link.url)}</p>`,
    );
  }
  parts.push(...content.afterLink.map(paragraph));
  const footer = [`${PRODUCT}. This mail was sent automatically; replies are not read.`];
  if (content.antiPhishingCode)
    footer.push('A mail from us always shows your anti-phishing code at the top. Without it, it is not from us.');
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${e(subject)}</title></head>`,
    '<body style="margin:0;padding:0;background:#f4f5f7;">',
    '<table role="presentation" width="100%" style="border-collapse:collapse;background:#f4f5f7;"><tr><td align="center" style="padding:24px 12px;">',
    '<table role="presentation" width="100%" style="max-width:560px;border-collapse:collapse;background:#ffffff;border-radius:6px;"><tr><td style="padding:32px;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1f2328;">',
    ...parts,
    `<p style="margin:32px 0 0 0;font-size:12px;color:#6b7280;">${footer.map(e).join('<br>')}</p>`,
    '</td></tr></table>',
    '</td></tr></table>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * Renders a queued message into its subject, text part and HTML part. Every value from the
 * message's data is treated as untrusted: control characters are removed for the text part and
 * everything the HTML part shows is escaped.
 */
export function renderMail(mail: RenderableMail, options: RenderOptions): RenderedMail {
  const spec = TEMPLATES[mail.template];
  const recipient = plainValue({ recipient: mail.recipient }, 'recipient') ?? '';
  const input: TemplateInput = { data: mail.data, recipient, hasLink: mail.linkToken !== null };
  const url = mail.linkToken === null ? null : mailLink(options.publicWebUrl, spec.link.path, mail.linkToken);
  const details = spec.details.flatMap((key) => {
    const value = plainValue(mail.data, key);
    return value === null ? [] : [{ label: DETAIL_LABELS[key], value: key === 'at' ? readableTime(value) : value }];
  });
  const content: Content = {
    heading: spec.heading,
    antiPhishingCode: plainValue(mail.data, 'anti_phishing_code'),
    body: spec.body(input),
    details,
    link: url === null ? null : { url, label: spec.link.label },
    afterLink: spec.afterLink(input),
  };
  return { subject: spec.subject, text: textPart(content), html: htmlPart(content, spec.subject), link: url };
}
