import { PassThrough } from 'node:stream';
import { createLogger } from './logger';
import { maskEmail, redact, redactString } from './redaction';
import { runWithLogContext } from './request-context';

describe('log redaction', () => {
  it('replaces values under secret-looking keys', () => {
    expect(
      redact({
        password: 'hunter2',
        new_password: 'x',
        refresh_token: 'rt_abc',
        Authorization: 'Bearer abc',
        nested: { passwordHash: '$argon2id$v=19$…' },
        token_type: 'access',
      }),
    ).toEqual({
      password: '[REDACTED]',
      new_password: '[REDACTED]',
      refresh_token: '[REDACTED]',
      Authorization: '[REDACTED]',
      nested: { passwordHash: '[REDACTED]' },
      token_type: 'access',
    });
  });

  it('cuts tokens, hashes and credentials out of free text and masks emails', () => {
    const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl';
    const refresh = `rt_${'A'.repeat(43)}`;
    const text = `user ada.lovelace@example.com sent ${jwt} and ${refresh} hash $argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA Bearer abc.def postgresql://app:s3cret@db:5432/x`;
    const cleaned = redactString(text);
    expect(cleaned).not.toContain(jwt);
    expect(cleaned).not.toContain(refresh);
    expect(cleaned).not.toContain('$argon2id');
    expect(cleaned).not.toContain('abc.def');
    expect(cleaned).not.toContain('s3cret');
    expect(cleaned).toContain('a***@example.com');
    expect(maskEmail('zoe@pandora.exchange')).toBe('z***@pandora.exchange');
  });

  it('returns strings with nothing secret-looking untouched, and still finds scheme words in any case', () => {
    for (const plain of ['GET', '/api/v1/users/me', '0b9f0c2e-7f7e-4c8a-9b1d-2d4a3b2c1d0e', 'http request', 'trace 4bf92f3577b34da6']) {
      expect(redactString(plain)).toBe(plain);
    }
    expect(redactString('BEARER abc.def')).toBe('BEARER [REDACTED]');
    expect(redactString('basic dXNlcjpwYXNz')).toBe('basic [REDACTED]');
    expect(redactString('mail: x@y.io')).toBe('mail: x***@y.io');
  });

  it('survives cycles, deep nesting and errors', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(redact(cyclic)).toEqual({ a: 1, self: '[CIRCULAR]' });
    expect(redact(new Error('token rt_' + 'B'.repeat(43)))).toMatchObject({ name: 'Error', message: 'token [REDACTED_REFRESH_TOKEN]' });
  });
});

describe('logger', () => {
  function capture(level: 'error' | 'info' = 'info') {
    const stream = new PassThrough();
    const lines: Array<Record<string, unknown>> = [];
    stream.on('data', (chunk: Buffer) =>
      chunk
        .toString()
        .split('\n')
        .filter(Boolean)
        .forEach((line) => lines.push(JSON.parse(line))),
    );
    return { logger: createLogger({ service: 'test', level, stream }), lines };
  }

  it('writes JSON lines with the request context and no secrets', async () => {
    const { logger, lines } = capture();
    runWithLogContext({ request_id: 'req-42', user_id: 'u-1' }, () =>
      logger.info('login for ada@example.com', { body: { email: 'ada@example.com', password: 'hunter2' } }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'info',
        message: 'login for a***@example.com',
        request_id: 'req-42',
        user_id: 'u-1',
        service: 'test',
        body: { email: 'a***@example.com', password: '[REDACTED]' },
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('hunter2');
  });

  // The line of the logger before it redacted in place (one pass), byte for byte.
  it('writes each line as exactly this JSON: keys sorted, context added, every field redacted', async () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const logger = createLogger({ service: 'test', level: 'info', stream });
    const shared = { n: 1 };
    const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl';
    runWithLogContext({ request_id: jwt, trace_id: 'f'.repeat(32) }, () =>
      logger.child({ component: 'c', token: 't' }).info('mail to ada@example.com', {
        user_id: undefined,
        count: 10n,
        when: new Date(0),
        bytes: Buffer.from('abc'),
        nested: { passwordHash: '$argon2id$v=19$x', list: [1, null, { secret: 's' }], again: shared },
        also: shared,
        refresh_tokens: 3,
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(text.replace(/"timestamp":"[^"]+"/, '"timestamp":"T"')).toBe(
      '{"also":"[CIRCULAR]","bytes":"[3 bytes]","component":"c","count":"10","level":"info","message":"mail to a***@example.com",' +
        '"nested":{"again":{"n":1},"list":[1,null,{"secret":"[REDACTED]"}],"passwordHash":"[REDACTED]"},"refresh_tokens":3,' +
        `"request_id":"[REDACTED_JWT]","service":"test","timestamp":"T","token":"[REDACTED]","trace_id":"${'f'.repeat(32)}","when":"1970-01-01T00:00:00.000Z"}\n`,
    );
  });

  it('writes security events even when the level is error', async () => {
    const { logger, lines } = capture('error');
    logger.info('dropped');
    logger.security('refresh_token_reuse_detected', { session_id: 's-1' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'warn',
        message: 'refresh_token_reuse_detected',
        security_event: 'refresh_token_reuse_detected',
        session_id: 's-1',
      }),
    ]);
  });
});
