// The local mail catcher `npm start` runs when SMTP_URL is not set (docs/mail.md, "Out of the box"):
// an SMTP server that keeps the last messages in memory, and a web inbox to read them and click
// their links. For development only: it accepts anything from anyone on 127.0.0.1.
//
//   node tools/mail-catcher/mail-catcher.mjs [--smtp-port 1025] [--http-port 8025] [--host 127.0.0.1]
//
// HTTP: GET / (the inbox), GET /api/messages (JSON, newest first), GET /api/messages/:id,
// DELETE /api/messages (empties the inbox).
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

const { values: args } = parseArgs({
  options: {
    'smtp-port': { type: 'string', default: '1025' },
    'http-port': { type: 'string', default: '8025' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});
const KEEP = 200;
/** Newest first. */
const messages = [];

function addresses(value) {
  if (!value) return [];
  return (Array.isArray(value) ? value : [value]).flatMap((entry) => entry.value.map((address) => address.address)).filter(Boolean);
}

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  banner: 'pandora local mail catcher',
  onData(stream, _session, callback) {
    simpleParser(stream).then(
      (parsed) => {
        const message = {
          id: randomUUID(),
          received_at: new Date().toISOString(),
          from: addresses(parsed.from)[0] ?? '',
          to: addresses(parsed.to),
          subject: parsed.subject ?? '',
          message_id: parsed.messageId ?? '',
          text: parsed.text ?? '',
          html: typeof parsed.html === 'string' ? parsed.html : '',
        };
        messages.unshift(message);
        messages.length = Math.min(messages.length, KEEP);
        process.stdout.write(
          `mail to ${message.to.join(', ')}: ${message.subject} (http://localhost:${args['http-port']}/#${message.id})\n`,
        );
        callback();
      },
      (error) => callback(error),
    );
  },
});
smtp.on('error', (error) => process.stderr.write(`smtp: ${error.message}\n`));

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** The text part, escaped, with its http(s) links made clickable. */
function linkified(text) {
  return escapeHtml(text).replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`);
}

function inboxPage() {
  const items = messages
    .map(
      (message) => `<article id="${escapeHtml(message.id)}">
  <h2>${escapeHtml(message.subject)}</h2>
  <p class="meta">to ${escapeHtml(message.to.join(', '))} · from ${escapeHtml(message.from)} · ${escapeHtml(message.received_at)}</p>
  <pre>${linkified(message.text)}</pre>
  <details><summary>HTML part</summary><iframe sandbox="" srcdoc="${escapeHtml(message.html)}" title="HTML part"></iframe></details>
</article>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Local mail catcher</title>
<style>body{font-family:system-ui,sans-serif;max-width:860px;margin:24px auto;padding:0 12px;color:#1f2328}
article{border:1px solid #d0d7de;border-radius:6px;padding:12px 16px;margin:12px 0}h2{font-size:17px;margin:0 0 4px}
.meta{color:#57606a;font-size:13px;margin:0 0 8px}pre{white-space:pre-wrap;font-size:14px}iframe{width:100%;height:480px;border:1px solid #d0d7de}</style>
</head><body>
<h1>Local mail catcher</h1>
<p>Mail the service sent while SMTP_URL is unset (newest first, the last ${KEEP} kept in memory). Reload to see new mail. JSON: <a href="/api/messages">/api/messages</a>.</p>
${items || '<p>No mail yet.</p>'}
</body></html>`;
}

function send(response, status, type, body) {
  response.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    // The inbox shows mails' HTML only in a sandboxed frame; nothing from a mail may run here.
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; base-uri 'none'; form-action 'none'",
    'x-content-type-options': 'nosniff',
  });
  response.end(body);
}

const web = http.createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (request.method === 'GET' && url.pathname === '/') return send(response, 200, 'text/html; charset=utf-8', inboxPage());
  if (url.pathname === '/api/messages') {
    if (request.method === 'GET') return send(response, 200, 'application/json', JSON.stringify(messages));
    if (request.method === 'DELETE') {
      messages.length = 0;
      return send(response, 204, 'text/plain', '');
    }
  }
  const one = /^\/api\/messages\/([0-9a-f-]{36})$/.exec(url.pathname);
  if (request.method === 'GET' && one) {
    const message = messages.find((candidate) => candidate.id === one[1]);
    return message
      ? send(response, 200, 'application/json', JSON.stringify(message))
      : send(response, 404, 'application/json', '{"error":"not found"}');
  }
  return send(response, 404, 'application/json', '{"error":"not found"}');
});

function listen(server, port, label) {
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(new Error(`${label} cannot listen on ${args.host}:${port}: ${error.message}`)));
    server.listen(Number(port), args.host, resolve);
  });
}

try {
  await listen(smtp, args['smtp-port'], 'SMTP');
  await listen(web, args['http-port'], 'the inbox');
} catch (error) {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
process.stdout.write(`SMTP on ${args.host}:${args['smtp-port']}; inbox on http://localhost:${args['http-port']}\n`);

function stop() {
  web.close();
  smtp.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1_000).unref();
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
