import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  createEmptyDatabase,
  migrateDatabase,
  readInfrastructure,
  WORKSPACE_ROOT,
  withPgClient,
  type TestDatabase,
} from '@pandora/testing';

const execFileAsync = promisify(execFile);
const prisma = path.join(WORKSPACE_ROOT, 'node_modules', '.bin', 'prisma');

let db: TestDatabase;
beforeAll(async () => {
  db = await createEmptyDatabase();
});
afterAll(() => db.drop());

describe('migrations', () => {
  it('apply to an empty database with `prisma migrate deploy` and leave it up to date', async () => {
    await migrateDatabase(db.url);
    const tables = await withPgClient(db.url, async (client) =>
      (
        await client.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
      ).rows.map((row) => row.tablename),
    );
    expect(tables).toEqual([
      '_prisma_migrations',
      'audit_logs',
      'login_devices',
      'mail_messages',
      'mfa_challenges',
      'mfa_recovery_codes',
      'one_time_tokens',
      'outbox_events',
      'refresh_tokens',
      'sessions',
      'user_mfa',
      'users',
    ]);
    const status = await execFileAsync(prisma, ['migrate', 'status'], {
      cwd: WORKSPACE_ROOT,
      env: { ...process.env, DATABASE_URL: db.url, DATABASE_DIRECT_URL: db.url },
    });
    expect(status.stdout).toContain('Database schema is up to date!');
    // Expected with a driver adapter and dropped by prisma.config.ts: it alarmed people on every start.
    expect(status.stdout).not.toContain('will NOT be used');
  });

  it('create the hand-written objects Prisma cannot express (partial unique index, check constraint)', async () => {
    const indexes = await withPgClient(
      db.url,
      async (client) =>
        (
          await client.query<{ indexdef: string }>(
            "SELECT indexdef FROM pg_indexes WHERE indexname IN ('users_email_active_key', 'outbox_events_unpublished_seq_idx') ORDER BY indexname",
          )
        ).rows,
    );
    expect(indexes.map((row) => row.indexdef)).toEqual([
      expect.stringMatching(/WHERE \(published_at IS NULL\)/),
      expect.stringMatching(/UNIQUE INDEX users_email_active_key .* WHERE \(deleted_at IS NULL\)/),
    ]);
  });

  it('match the Prisma schema exactly (`prisma migrate diff` finds no drift)', async () => {
    // The shadow database is created on the test server through the CLI adapter.
    const result = await execFileAsync(
      prisma,
      [
        'migrate',
        'diff',
        '--from-migrations',
        'libs/data-access/prisma/migrations',
        '--to-schema-datamodel',
        'libs/data-access/prisma/schema.prisma',
        '--exit-code',
      ],
      {
        cwd: WORKSPACE_ROOT,
        env: {
          ...process.env,
          DATABASE_URL: readInfrastructure().adminDatabaseUrl,
          DATABASE_DIRECT_URL: readInfrastructure().adminDatabaseUrl,
        },
      },
    ).catch((error: { code?: number; stdout?: string; stderr?: string }) => error);
    expect({ code: (result as { code?: number }).code ?? 0, stdout: result.stdout?.trim() }).toEqual({
      code: 0,
      stdout: 'No difference detected.',
    });
  });
});
