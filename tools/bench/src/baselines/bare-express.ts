/**
 * Baseline of the users_me benchmark: a bare express 5 handler answering GET /api/v1/users/me
 * with the same JSON body user-api returned for the benchmark user (BARE_BODY), one Node process,
 * express defaults, nothing else. Reports its port over IPC once listening.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';

const body = JSON.parse(process.env.BARE_BODY ?? '{}') as unknown;
const app = express();
app.get('/api/v1/users/me', (_req, res) => {
  res.json(body);
});
const server = app.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('disconnect', () => process.exit(0));
