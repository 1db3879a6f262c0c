/**
 * The bench's peer: better-auth with its defaults (email + password, its Kysely adapter on a `pg`
 * pool, database sessions), Argon2id through @node-rs/argon2 at the bench's parameters instead of
 * its default scrypt, on a plain Node HTTP server (`toNodeHandler`). Started by tools/bench with an
 * IPC channel; migrates its own database, then reports `{ port }`.
 *
 * Env: DATABASE_URL (a database of its own), ARGON2_MEMORY_KIB / _TIME_COST / _PARALLELISM,
 * BETTER_AUTH_SECRET, PEER_COOKIE_CACHE=1 for the session cookie cache (5 minutes, its documented
 * default maxAge), DATABASE_POOL_MAX (10, as user-api's default).
 */
import http from 'node:http';
import { hash, verify } from '@node-rs/argon2';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';
import pg from 'pg';

const ARGON2ID = 2;
const argon2 = {
  algorithm: ARGON2ID,
  memoryCost: Number(process.env.ARGON2_MEMORY_KIB ?? 65_536),
  timeCost: Number(process.env.ARGON2_TIME_COST ?? 1),
  parallelism: Number(process.env.ARGON2_PARALLELISM ?? 4),
  outputLen: 32,
};

async function main() {
  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  const baseURL = `http://127.0.0.1:${port}`;
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_MAX ?? 10) });
  const options = {
    baseURL,
    secret: process.env.BETTER_AUTH_SECRET,
    database: pool,
    emailAndPassword: {
      enabled: true,
      password: {
        hash: (password) => hash(password, argon2),
        verify: ({ hash: stored, password }) => verify(stored, password),
      },
    },
    // Like the bench's user-api (RATE_LIMIT_ENABLED=false): one client IP drives the whole load.
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    ...(process.env.PEER_COOKIE_CACHE === '1' ? { session: { cookieCache: { enabled: true, maxAge: 5 * 60 } } } : {}),
  };
  const { runMigrations } = await getMigrations(options);
  await runMigrations();
  const auth = betterAuth(options);
  server.on('request', toNodeHandler(auth));
  process.on('disconnect', () => process.exit(0));
  process.send?.({ port, argon2: `m=${argon2.memoryCost},t=${argon2.timeCost},p=${argon2.parallelism}` });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
