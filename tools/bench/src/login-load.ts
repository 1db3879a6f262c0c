import { runHttpLoad, type HttpLoadResult } from './http-load';
import type { BenchUser } from './users';

/**
 * Our login under load: POST /api/v1/auth/login with the right password, one account per
 * connection, because the login throttle counts the attempts in flight per email and connections
 * sharing an account would measure the throttle instead of the login.
 */
export function loginLoad(publicUrl: string, users: BenchUser[], connections: number): (durationMs: number) => Promise<HttpLoadResult> {
  return (durationMs) =>
    runHttpLoad({
      url: `${publicUrl}/api/v1/auth/login`,
      method: 'POST',
      connections,
      durationMs,
      headers: { 'content-type': 'application/json' },
      perConnection: users.map((user) => ({ body: JSON.stringify({ email: user.email, password: user.password }) })),
    });
}
