import { routeBuilder, type RouteDefinition } from './route-definition';

/**
 * The small pages a mailed link opens (docs/mail.md#the-link-pages): `/verify-email`,
 * `/reset-password`, `/confirm-email`, `/freeze-account`. A GET only shows a form, so a mail scanner
 * or a link preview that follows the link changes nothing; the person's click POSTs the token (and
 * whatever the form asks for) as JSON to an API route. The pages are static: the token is read
 * from the address by the page's script, never written into the HTML by the server, so nothing a
 * link carries can inject markup.
 */
export interface LinkPageField {
  /** The JSON field the value is sent as. */
  name: string;
  label: string;
  type: 'password' | 'text';
  autocomplete: string;
  /** An optional field left empty is not sent. */
  required: boolean;
  hint?: string;
  inputMode?: 'numeric' | 'text';
}

export interface LinkPage {
  /** Where the mail's link points, e.g. `/verify-email`. */
  path: string;
  title: string;
  /** What pressing the button will do, in a sentence or two. */
  intro: string;
  button: string;
  /** The API route the form POSTs `{token, …fields}` to. */
  action: string;
  fields?: LinkPageField[];
  /** Shown once the API answered 2xx. */
  success: string;
}

/** Where the pages' shared script and style are served. */
export const LINK_PAGE_ASSETS = { script: '/link-pages/link-page.js', style: '/link-pages/link-page.css' } as const;

/**
 * Scripts, styles and requests from this origin only, nothing inline, no framing; the form is
 * submitted by the script, so `form-action` allows nothing else either.
 */
export const LINK_PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

function fieldHtml(field: LinkPageField): string {
  const id = `field-${field.name}`;
  const hint = field.hint ? `\n      <small id="${id}-hint">${escapeHtml(field.hint)}</small>` : '';
  const attributes = [
    `id="${id}"`,
    `name="${escapeHtml(field.name)}"`,
    `type="${field.type}"`,
    `autocomplete="${escapeHtml(field.autocomplete)}"`,
    field.required ? 'required' : '',
    field.inputMode ? `inputmode="${field.inputMode}"` : '',
    field.hint ? `aria-describedby="${id}-hint"` : '',
    'maxlength="256"',
  ]
    .filter(Boolean)
    .join(' ');
  return `
    <p class="field">
      <label for="${id}">${escapeHtml(field.label)}</label>
      <input ${attributes}>${hint}
    </p>`;
}

/** The page's HTML: the same bytes for every visitor. */
export function linkPageHtml(page: LinkPage): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="robots" content="noindex">
  <title>${escapeHtml(page.title)} — Pandora Exchange</title>
  <link rel="stylesheet" href="${LINK_PAGE_ASSETS.style}">
  <script src="${LINK_PAGE_ASSETS.script}" defer></script>
</head>
<body>
  <main>
    <h1>${escapeHtml(page.title)}</h1>
    <p>${escapeHtml(page.intro)}</p>
    <form id="link-form" method="post" action="${escapeHtml(page.path)}" data-action="${escapeHtml(page.action)}" data-success="${escapeHtml(page.success)}">${(page.fields ?? []).map(fieldHtml).join('')}
      <p><button type="submit">${escapeHtml(page.button)}</button></p>
    </form>
    <p id="link-status" role="status" aria-live="polite"></p>
  </main>
</body>
</html>
`;
}

/**
 * The script every link page shares. It takes the token out of the address bar (it should not
 * stay in the history), then on submit POSTs the token and the form's fields as JSON and shows
 * the API's answer: the success text, or the error envelope's message.
 */
export const LINK_PAGE_SCRIPT = `'use strict';
(function () {
  var form = document.getElementById('link-form');
  var status = document.getElementById('link-status');
  if (!form || !status) return;
  var button = form.querySelector('button');
  var token = new URLSearchParams(window.location.search).get('token');
  function show(text, kind) {
    status.textContent = text;
    status.className = kind;
  }
  if (!token) {
    show('This link is incomplete. Open the link from the mail again, or ask for a new mail.', 'error');
    if (button) button.disabled = true;
    return;
  }
  window.history.replaceState(null, '', window.location.pathname);
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var body = { token: token };
    var inputs = form.querySelectorAll('input[name]');
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.value !== '' || input.required) body[input.name] = input.value;
    }
    if (button) button.disabled = true;
    show('One moment…', 'pending');
    fetch(form.getAttribute('data-action'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
    })
      .then(function (response) {
        if (response.ok) {
          form.hidden = true;
          show(form.getAttribute('data-success'), 'success');
          return;
        }
        return response.json().then(
          function (answer) {
            var message = answer && answer.error && answer.error.message ? answer.error.message : 'That did not work.';
            var details = answer && answer.error && answer.error.details ? answer.error.details : [];
            for (var j = 0; j < details.length; j++) message += ' ' + details[j].field + ': ' + details[j].message + '.';
            show(message, 'error');
            if (button) button.disabled = false;
          },
          function () {
            show('That did not work (' + response.status + '). Try again in a moment.', 'error');
            if (button) button.disabled = false;
          }
        );
      })
      .catch(function () {
        show('The service could not be reached. Try again in a moment.', 'error');
        if (button) button.disabled = false;
      });
  });
})();
`;

export const LINK_PAGE_STYLE = `body { font-family: system-ui, sans-serif; margin: 0; background: #f5f6f8; color: #1d2330; }
main { max-width: 28rem; margin: 4rem auto; padding: 2rem; background: #fff; border-radius: 8px; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.1); }
h1 { font-size: 1.4rem; margin-top: 0; }
.field label { display: block; font-weight: 600; margin-bottom: 0.25rem; }
.field input { width: 100%; box-sizing: border-box; padding: 0.5rem; font-size: 1rem; }
.field small { display: block; color: #555; margin-top: 0.25rem; }
button { padding: 0.6rem 1.2rem; font-size: 1rem; background: #1f5fbf; color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
button:disabled { background: #8aa6d1; cursor: default; }
button:focus-visible, input:focus-visible { outline: 3px solid #f0a500; outline-offset: 2px; }
#link-status.error { color: #a00; }
#link-status.success { color: #0a6b2d; font-weight: 600; }
`;

/**
 * GET routes for the pages and their shared script and style. Hidden from the OpenAPI document:
 * they are pages for people, not API operations.
 */
export function linkPages<Principal = unknown>(pages: LinkPage[]): RouteDefinition<Principal>[] {
  const route = routeBuilder<Principal>();
  const asset = (path: string, operationId: string, contentType: string, body: string) =>
    route({
      method: 'get',
      path,
      operationId,
      summary: `Shared ${contentType.split(';')[0] ?? ''} of the link pages`,
      tags: ['pages'],
      auth: 'none',
      outageProof: true,
      hidden: true,
      responses: { 200: { description: contentType, contentType } },
      handler: () => ({ status: 200, raw: { contentType, body } }),
    });
  return [
    ...pages.map((page) => {
      const html = linkPageHtml(page);
      return route({
        method: 'get',
        path: page.path,
        operationId: `page${page.path.replace(/[^A-Za-z]+(.)?/g, (_match, next: string | undefined) => (next ?? '').toUpperCase())}`,
        summary: page.title,
        tags: ['pages'],
        auth: 'none',
        outageProof: true,
        hidden: true,
        responses: { 200: { description: 'HTML page.', contentType: 'text/html' } },
        handler: () => ({
          status: 200,
          headers: { 'Content-Security-Policy': LINK_PAGE_CSP, 'Referrer-Policy': 'no-referrer' },
          raw: { contentType: 'text/html; charset=utf-8', body: html },
        }),
      });
    }),
    asset(LINK_PAGE_ASSETS.script, 'linkPageScript', 'application/javascript; charset=utf-8', LINK_PAGE_SCRIPT),
    asset(LINK_PAGE_ASSETS.style, 'linkPageStyle', 'text/css; charset=utf-8', LINK_PAGE_STYLE),
  ];
}
