import { escapeHtml, LINK_PAGE_ASSETS, LINK_PAGE_CSP, linkPageHtml, linkPages, type LinkPage } from './link-pages';

const PAGE: LinkPage = {
  path: '/reset-password',
  title: 'Choose a <new> password',
  intro: 'Everything "typed" here is escaped & safe.',
  button: 'Set it',
  action: '/api/v1/auth/password/reset',
  fields: [
    { name: 'new_password', label: 'New password', type: 'password', autocomplete: 'new-password', required: true, hint: 'Long is best.' },
  ],
  success: 'Done.',
};

describe('link pages', () => {
  it('escape every text they show', () => {
    expect(escapeHtml(`<script>alert("x")</script> & 'y'`)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;');
    const html = linkPageHtml(PAGE);
    expect(html).toContain('Choose a &lt;new&gt; password');
    expect(html).toContain('Everything &quot;typed&quot; here is escaped &amp; safe.');
  });

  it('load only their own script and style, with nothing inline', () => {
    const html = linkPageHtml(PAGE);
    const scripts = html.match(/<script[^>]*>/g) ?? [];
    expect(scripts).toEqual([`<script src="${LINK_PAGE_ASSETS.script}" defer>`]);
    expect(html).not.toMatch(/\sstyle=|\son[a-z]+=/);
    expect(LINK_PAGE_CSP).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it('label each field and name the API route the form posts to', () => {
    const html = linkPageHtml(PAGE);
    expect(html).toContain('<label for="field-new_password">New password</label>');
    expect(html).toMatch(/<input id="field-new_password" name="new_password" type="password" autocomplete="new-password" required/);
    expect(html).toContain('data-action="/api/v1/auth/password/reset"');
  });

  it('serve each page and the shared assets as hidden GET routes, the pages under the strict CSP', async () => {
    const routes = linkPages([PAGE]);
    expect(routes.map((route) => `${route.method.toUpperCase()} ${route.path}`)).toEqual([
      'GET /reset-password',
      `GET ${LINK_PAGE_ASSETS.script}`,
      `GET ${LINK_PAGE_ASSETS.style}`,
    ]);
    expect(routes.every((route) => route.hidden && route.auth === 'none')).toBe(true);
    const answer = await routes[0]?.handler({} as never);
    expect(answer?.headers).toEqual({ 'Content-Security-Policy': LINK_PAGE_CSP, 'Referrer-Policy': 'no-referrer' });
    expect(answer?.raw?.contentType).toBe('text/html; charset=utf-8');
  });
});
