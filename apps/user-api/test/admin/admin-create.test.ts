import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { auditLogs, outboxEvents, users } from '@pandora/data-access';
import { TableRows } from '@pandora/data-access/testing';
import { createTestDatabase, WORKSPACE_ROOT, type TestDatabase } from '@pandora/testing';
import { uniqueEmail } from '../support/fixtures';

/** `npm run admin:create` end to end: the real command, its stdin, its exit code, the database. */
let db: TestDatabase;
let rows: TableRows;
beforeAll(async () => {
  db = await createTestDatabase();
  rows = new TableRows(db.url, 'admin-create-tests');
});
afterAll(async () => {
  await rows.close();
  await db.drop();
});

async function adminCreate(
  args: string[],
  stdin: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('npm', ['run', '-s', 'admin:create', '--', ...args], {
    cwd: WORKSPACE_ROOT,
    env: { ...process.env, APP_ENV: 'test', DATABASE_URL: db.url, ARGON2_MEMORY_KIB: '1024', ARGON2_PARALLELISM: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdin.end(stdin);
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

describe('npm run admin:create', () => {
  it('explains how the new administrator enrols a second factor when ADMIN_MFA_REQUIRED is on', async () => {
    const result = await adminCreate(['--email', uniqueEmail('mfa-root'), '--password-stdin'], 'the first admin passphrase\n', {
      ADMIN_MFA_REQUIRED: 'true',
    });
    expect(result).toMatchObject({ code: 0, stdout: expect.stringContaining('created administrator') });
    expect(result.stdout).toContain('MFA_ENROLMENT_REQUIRED');
    expect(result.stdout).toContain('POST /api/v1/users/me/mfa/totp/setup');
    expect(result.stdout).toContain('POST /api/v1/admin/auth/mfa/verify');
  });

  it('creates an administrator with the password from stdin, audited and announced', async () => {
    const email = uniqueEmail('root');
    const result = await adminCreate(['--email', email.toUpperCase(), '--password-stdin'], 'the first admin passphrase\n');
    expect(result).toMatchObject({ code: 0, stdout: expect.stringContaining('created administrator') });
    expect(result.stdout).not.toContain('MFA_ENROLMENT_REQUIRED');
    const user = await rows.one(users, { email });
    expect(user).toMatchObject({ role: 'admin', firstName: 'Platform', lastName: 'Administrator' });
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await rows.first(auditLogs, { userId: user.id, eventType: 'admin.created' })).toMatchObject({
      actorType: 'system',
      actorIdentifier: 'admin:create',
    });
    expect(await rows.first(outboxEvents, { aggregateId: user.id, eventType: 'user.registered' })).toMatchObject({
      payload: expect.objectContaining({ role: 'admin' }),
    });
  }, 60_000);

  it('opens no listening session for the read cache: a one-shot command caches nothing', async () => {
    // Stands where the LISTEN session would connect (DATABASE_DIRECT_URL) and counts who comes.
    let connections = 0;
    const listener = net.createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    listener.listen(0, '127.0.0.1');
    await once(listener, 'listening');
    const { port } = listener.address() as net.AddressInfo;
    try {
      const result = await adminCreate(['--email', uniqueEmail('no-listen'), '--password-stdin'], 'the first admin passphrase\n', {
        READ_CACHE_TTL: '30s',
        DATABASE_DIRECT_URL: `postgresql://postgres@127.0.0.1:${port}/postgres`,
      });
      expect(result).toMatchObject({ code: 0, stdout: expect.stringContaining('created administrator') });
      expect(connections).toBe(0);
    } finally {
      listener.close();
    }
  }, 60_000);

  it('promotes an existing account without touching its password, and is idempotent', async () => {
    const email = uniqueEmail('promote');
    await adminCreate(['--email', email, '--password-stdin'], 'first account passphrase');
    await rows.update(users, { email }, { role: 'user' });
    const hashBefore = (await rows.one(users, { email })).passwordHash;
    const promoted = await adminCreate(['--email', email, '--password-stdin'], 'ignored for existing accounts');
    expect(promoted).toMatchObject({ code: 0, stdout: expect.stringContaining('promoted to administrator') });
    const user = await rows.one(users, { email });
    expect(user.role).toBe('admin');
    expect(user.passwordHash).toBe(hashBefore);
    expect(await rows.first(outboxEvents, { aggregateId: user.id, eventType: 'user.role.changed' })).toMatchObject({
      payload: { email, role: 'admin', old_role: 'user' },
    });
    expect((await adminCreate(['--email', email], '')).stdout).toContain('is already an administrator');
  }, 60_000);

  it('rejects a weak password and creates nothing', async () => {
    const email = uniqueEmail('weak');
    const result = await adminCreate(['--email', email, '--password-stdin'], 'password');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('WEAK_PASSWORD');
    expect(await rows.count(users, { email })).toBe(0);
  }, 60_000);

  it('explains, without a terminal and without --password-stdin, that there is no terminal and to use --password-stdin', async () => {
    const email = uniqueEmail('no-tty');
    // The spawned command's stdin is a pipe, not a terminal (as in CI, a container, or `… < /dev/null`).
    const result = await adminCreate(['--email', email], '');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('admin:create: there is no terminal to ask for the password on');
    expect(result.stderr).toContain('--password-stdin');
    expect(result.stderr).not.toContain('WEAK_PASSWORD');
    expect(await rows.count(users, { email })).toBe(0);
  }, 60_000);

  it('explains its usage without an email', async () => {
    const result = await adminCreate([], '');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('usage: npm run admin:create');
  }, 60_000);
});
