import type { Clock } from '@pandora/domain';
import { withPgClient } from '@pandora/testing';
import type request from 'supertest';
import { bearer, sessionIdOf, type RegisteredUser } from './fixtures';
import { STEP_SECONDS, stepAt, totpForStep } from '@pandora/testing';

/**
 * A clock the test moves (injected into user-api, hence into its TOTP verifier): time steps are
 * crossed by moving it, never by waiting. It starts in the middle of a step.
 */
export class StepClock implements Clock {
  private current: number;

  constructor(start = Date.now()) {
    this.current = (stepAt(start) * STEP_SECONDS + STEP_SECONDS / 2) * 1000;
  }

  now(): Date {
    return new Date(this.current);
  }

  get step(): number {
    return stepAt(this.current);
  }

  advance(ms: number): void {
    this.current += ms;
  }

  /** On to the middle of the next time step (a TOTP code accepted in this step is used up). */
  nextStep(): void {
    this.advance(STEP_SECONDS * 1000);
  }

  /** The code of `secret` for the current step, or `offset` steps away. */
  code(secret: string, offset = 0): string {
    return totpForStep(secret, this.step + offset);
  }
}

export interface Enrolled {
  secret: string;
  otpauthUrl: string;
  recoveryCodes: string[];
}

/** Setup + confirm through the public API; the caller's own session survives. */
export async function enrol(http: () => request.Agent, user: RegisteredUser, clock: StepClock): Promise<Enrolled> {
  const setup = await http().post('/api/v1/users/me/mfa/totp/setup').set(bearer(user.accessToken)).send({ password: user.password });
  if (setup.status !== 200) throw new Error(`setup failed: ${setup.status} ${JSON.stringify(setup.body)}`);
  const confirm = await http()
    .post('/api/v1/users/me/mfa/totp/confirm')
    .set(bearer(user.accessToken))
    .send({ code: clock.code(setup.body.secret) });
  if (confirm.status !== 200) throw new Error(`confirm failed: ${confirm.status} ${JSON.stringify(confirm.body)}`);
  return { secret: setup.body.secret, otpauthUrl: setup.body.otpauth_url, recoveryCodes: confirm.body.recovery_codes };
}

/** The password step: the MFA challenge token (fails unless the answer is a challenge). */
export async function passwordStep(
  http: () => request.Agent,
  email: string,
  password: string,
  path = '/api/v1/auth/login',
): Promise<string> {
  const response = await http().post(path).send({ email, password });
  if (response.status !== 200 || response.body.mfa_required !== true) {
    throw new Error(`expected an MFA challenge: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return response.body.mfa_token;
}

/** Both steps; the clock moves to the next step afterwards, so the next TOTP code is fresh. */
export async function logInWithTotp(
  http: () => request.Agent,
  user: RegisteredUser,
  secret: string,
  clock: StepClock,
): Promise<RegisteredUser> {
  const mfaToken = await passwordStep(http, user.email, user.password);
  const response = await http()
    .post('/api/v1/auth/mfa/verify')
    .send({ mfa_token: mfaToken, code: clock.code(secret) });
  if (response.status !== 200) throw new Error(`verify failed: ${response.status} ${JSON.stringify(response.body)}`);
  clock.nextStep();
  return {
    ...user,
    accessToken: response.body.access_token,
    refreshToken: response.body.refresh_token,
    sessionId: sessionIdOf(response.body.access_token),
  };
}

export function claimsOf(accessToken: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(accessToken.split('.')[1] as string, 'base64url').toString());
}

export function sql<T extends Record<string, unknown> = Record<string, unknown>>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  return withPgClient(url, async (client) => (await client.query<T>(text, values)).rows);
}
