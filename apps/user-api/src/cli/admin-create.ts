/**
 * `npm run admin:create -- --email E [--first-name F] [--last-name L] [--password-stdin]`
 *
 * Creates the first administrator, or promotes an existing account (which keeps its password).
 * For a new account the password is read from stdin with `--password-stdin`, or prompted for
 * without echo on a terminal (without either it says so and exits 2); the password policy applies. Runs with user-api's own
 * configuration (DATABASE_URL, ARGON2_*, AUDIT_RETENTION_DAYS…) and the same domain code.
 * In a container: `node dist/apps/user-api/admin-create.js …`.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadUserApiConfig } from '@pandora/config';
import { NO_LOGIN_THROTTLE, systemClock } from '@pandora/domain';
import { AppError } from '@pandora/errors';
import { AppMetrics, createLogger } from '@pandora/observability';
import { createUserServiceCore } from '../composition-root';
import { NoTerminalError, readPassword } from './lib/read-password';

/** ADMIN_MFA_REQUIRED: until the admin has a second factor, the admin API answers 403 MFA_ENROLMENT_REQUIRED. */
const ENROLMENT_HELP = `
ADMIN_MFA_REQUIRED is on: the admin API accepts this administrator only after they have turned on
two-factor authentication (TOTP). Until then every admin route but login answers 403
MFA_ENROLMENT_REQUIRED. To enrol, through the PUBLIC API (port 8080):
  1. POST /api/v1/auth/login {email, password}                → access_token
  2. POST /api/v1/users/me/mfa/totp/setup {password}           → secret / otpauth_url for an authenticator app
  3. POST /api/v1/users/me/mfa/totp/confirm {code}             → TOTP on, ten recovery codes (keep them offline)
Then log in on the admin port: POST /api/v1/admin/auth/login, then POST /api/v1/admin/auth/mfa/verify
{mfa_token, code}. README, "Two-factor authentication", has the curl commands.
`;

const USAGE = 'usage: npm run admin:create -- --email <email> [--first-name <name>] [--last-name <name>] [--password-stdin]';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      email: { type: 'string' },
      'first-name': { type: 'string', default: 'Platform' },
      'last-name': { type: 'string', default: 'Administrator' },
      'password-stdin': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help || !values.email) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }

  const config = await loadUserApiConfig();
  const logger = createLogger({ service: 'admin-create', level: 'error' });
  // The CLI logs nobody in, so it needs no login throttle (and no Redis). It reads nothing twice
  // either: with the read cache on it would open a LISTEN session (one more connection on
  // DATABASE_DIRECT_URL) and wait for it after each commit, for nothing.
  const core = await createUserServiceCore(
    { ...config, readCache: { ttlMs: 0 } },
    {
      logger,
      clock: systemClock,
      metrics: new AppMetrics('admin-create'),
      loginThrottle: NO_LOGIN_THROTTLE,
    },
  );
  try {
    const { user, outcome } = await core.useCases.bootstrapAdmin.execute({
      email: values.email,
      firstName: values['first-name'] as string,
      lastName: values['last-name'] as string,
      password: () => readPassword({ fromStdin: values['password-stdin'] === true }),
    });
    const messages = {
      created: 'created administrator',
      promoted: 'promoted to administrator',
      already_admin: 'is already an administrator',
    };
    process.stdout.write(`${user.email} (${user.id}) ${messages[outcome]}\n`);
    if (config.mfa.adminRequired && !user.mfaEnabled) process.stdout.write(ENROLMENT_HELP);
    return 0;
  } finally {
    await core.database.close();
    await core.closeHasher();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof NoTerminalError) {
      process.stderr.write(
        `admin:create: ${error.message}, e.g.\n  printf '%s' "$PASSWORD" | npm run admin:create -- --email <email> --password-stdin\n`,
      );
      process.exit(2);
    }
    if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
    else if (error instanceof AppError) process.stderr.write(`admin:create refused: ${error.code}: ${error.message}\n`);
    else process.stderr.write(`admin:create failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
