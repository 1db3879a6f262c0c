import { FREEZE_LINK_TTL_MS } from '@pandora/domain';
import { LogIn } from '../auth/log-in';
import { VerifyMfaChallenge } from '../auth/verify-mfa-challenge';
import { queueSecurityNotice } from '../notifications/security-notice';
import {
  auditTypes,
  codeOf,
  CONTEXT,
  createFakePorts,
  eventTypes,
  PASSWORD,
  seedMfaUser,
  seedUser,
  signIn,
  totpCode,
  type FakePorts,
} from '../testing';
import type { User } from '@pandora/domain';
import { FreezeAccount } from './freeze-account';
import { UnfreezeAccount } from './unfreeze-account';

/** A notice was mailed to `user`: the freeze link it carries. */
async function freezeLinkOf(ports: FakePorts, user: User): Promise<string> {
  await ports.db.run((repositories) => queueSecurityNotice(ports, repositories, { user, template: 'new_device_login', ctx: CONTEXT }));
  return ports.db.mail.at(-1)?.linkToken ?? '';
}

describe('FreezeAccount', () => {
  it('freezes with the link of a notice: sessions revoked, every pending token dead, event and audit row', async () => {
    const ports = createFakePorts();
    const user = await seedUser(ports);
    const sessions = [await signIn(ports, user), await signIn(ports, user)].map((signedIn) => signedIn.session.id);
    const older = await freezeLinkOf(ports, user);
    const token = await freezeLinkOf(ports, user);
    await ports.db.run((repositories) =>
      repositories.oneTimeTokens.issue({
        id: ports.ids.newId(),
        userId: user.id,
        kind: 'password_reset',
        tokenHash: 'hash:reset',
        email: user.email,
        createdAt: ports.clock.now(),
        expiresAt: new Date(ports.clock.now().getTime() + 60_000),
      }),
    );

    await new FreezeAccount(ports).execute({ token }, CONTEXT);

    expect((await ports.repositories.users.findById(user.id))?.frozenAt).toEqual(ports.clock.now());
    expect(sessions.map((id) => ports.db.session(id)?.revokedReason)).toEqual(['account_frozen', 'account_frozen']);
    expect([...ports.principals.invalidated].sort()).toEqual([...sessions].sort());
    expect(ports.db.oneTimeTokens.filter((stored) => stored.usedAt === null)).toEqual([]);
    expect(await codeOf(new FreezeAccount(ports).execute({ token: older }, CONTEXT))).toBe('INVALID_OR_EXPIRED_TOKEN');
    expect(eventTypes(ports)).toEqual(['user.account.frozen', 'session.revoked']);
    expect(ports.db.outbox[0]?.payload).toEqual({ email: user.email, frozen_at: ports.clock.now().toISOString() });
    expect(auditTypes(ports)).toEqual(['user.account.frozen']);
    expect(ports.db.audit[0]).toMatchObject({ severity: 'critical', metadata: expect.objectContaining({ revoked_sessions: 2 }) });
    expect(ports.securityLog.events.map((entry) => entry.event)).toEqual(['account_frozen']);
  });

  it('is single use, and refuses a garbage, unknown or expired link with INVALID_OR_EXPIRED_TOKEN', async () => {
    const ports = createFakePorts();
    const user = await seedUser(ports);
    const freeze = new FreezeAccount(ports);
    expect(await codeOf(freeze.execute({ token: 'garbage' }, CONTEXT))).toBe('INVALID_OR_EXPIRED_TOKEN');
    expect(await codeOf(freeze.execute({ token: 'link_token_999' }, CONTEXT))).toBe('INVALID_OR_EXPIRED_TOKEN');

    const expiring = await freezeLinkOf(ports, user);
    ports.clock.advance(FREEZE_LINK_TTL_MS);
    expect(await codeOf(freeze.execute({ token: expiring }, CONTEXT))).toBe('INVALID_OR_EXPIRED_TOKEN');

    const token = await freezeLinkOf(ports, user);
    expect(await codeOf(freeze.execute({ token }, CONTEXT))).toBe('OK');
    expect(await codeOf(freeze.execute({ token }, CONTEXT))).toBe('INVALID_OR_EXPIRED_TOKEN');
    expect(eventTypes(ports)).toEqual(['user.account.frozen']);
  });

  it('does not freeze a deleted account', async () => {
    const ports = createFakePorts();
    const user = await seedUser(ports);
    const token = await freezeLinkOf(ports, user);
    await ports.db.run((repositories) => repositories.users.softDelete(user.id, ports.clock.now()));
    expect(await codeOf(new FreezeAccount(ports).execute({ token }, CONTEXT))).toBe('INVALID_OR_EXPIRED_TOKEN');
    expect(eventTypes(ports)).toEqual([]);
  });

  it('uses up a link of an account frozen meanwhile and changes nothing else', async () => {
    const ports = createFakePorts();
    const user = await seedUser(ports);
    const first = await freezeLinkOf(ports, user);
    await new FreezeAccount(ports).execute({ token: first }, CONTEXT);
    const issuedWhileFrozen = await freezeLinkOf(ports, user);

    expect(await codeOf(new FreezeAccount(ports).execute({ token: issuedWhileFrozen }, CONTEXT))).toBe('OK');
    expect(eventTypes(ports)).toEqual(['user.account.frozen']);
    expect(await codeOf(new FreezeAccount(ports).execute({ token: issuedWhileFrozen }, CONTEXT))).toBe('INVALID_OR_EXPIRED_TOKEN');
  });
});

describe('logins of a frozen account', () => {
  async function frozenAccount(mfa = false) {
    const ports = createFakePorts();
    const user = mfa ? await seedMfaUser(ports) : await seedUser(ports);
    await new FreezeAccount(ports).execute({ token: await freezeLinkOf(ports, user) }, CONTEXT);
    return { ports, user };
  }

  it('answers ACCOUNT_FROZEN to the right password only; a wrong one is the usual INVALID_CREDENTIALS failure', async () => {
    const { ports, user } = await frozenAccount();
    const logIn = new LogIn(ports);
    expect(await codeOf(logIn.execute({ email: user.email, password: 'not the password' }, CONTEXT))).toBe('INVALID_CREDENTIALS');
    expect(await codeOf(logIn.execute({ email: user.email, password: PASSWORD }, CONTEXT))).toBe('ACCOUNT_FROZEN');
    expect(ports.metrics.logins).toEqual(['invalid_credentials', 'frozen']);
    expect(ports.db.audit.filter((entry) => entry.eventType === 'auth.login.failed').map((entry) => entry.failureReason)).toEqual([
      'invalid_password',
      'account_frozen',
    ]);
    expect(ports.loginThrottle.calls.filter((call) => !call.startsWith('reserve'))).toEqual([
      `failure ${user.email}`,
      `release ${user.email}`,
    ]);
    expect(ports.db.sessions.filter((session) => session.revokedAt === null)).toEqual([]);
  });

  it('answers ACCOUNT_FROZEN to an MFA account’s right password without a challenge', async () => {
    const { ports, user } = await frozenAccount(true);
    expect(await codeOf(new LogIn(ports).execute({ email: user.email, password: PASSWORD }, CONTEXT))).toBe('ACCOUNT_FROZEN');
    expect(ports.db.mfaChallenges).toEqual([]);
  });

  it('refuses the second step of an MFA login when the account was frozen after the password step', async () => {
    const ports = createFakePorts();
    const user = await seedMfaUser(ports);
    const challenge = await new LogIn(ports).execute({ email: user.email, password: PASSWORD }, CONTEXT);
    const mfaToken = 'mfaToken' in challenge ? challenge.mfaToken : '';
    await new FreezeAccount(ports).execute({ token: await freezeLinkOf(ports, user) }, CONTEXT);

    expect(await codeOf(new VerifyMfaChallenge(ports).execute({ mfaToken, code: totpCode(ports) }, CONTEXT))).toBe('ACCOUNT_FROZEN');
    expect(ports.db.sessions.filter((session) => session.revokedAt === null)).toEqual([]);
  });

  it('works again once an administrator unfreezes the account', async () => {
    const { ports, user } = await frozenAccount();
    const admin = await signIn(ports, await seedUser(ports, { role: 'admin' }));
    await expect(new UnfreezeAccount(ports).execute(admin.principal, { userId: user.id }, CONTEXT)).resolves.toEqual({ unfrozen: true });
    expect(await codeOf(new LogIn(ports).execute({ email: user.email, password: PASSWORD }, CONTEXT))).toBe('OK');
  });
});
