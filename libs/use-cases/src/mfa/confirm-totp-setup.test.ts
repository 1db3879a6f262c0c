import {
  codeOf,
  CONTEXT,
  createFakePorts,
  eventTypes,
  FakeTotp,
  noticesQueued,
  PASSWORD,
  seedUser,
  signIn,
  totpCode,
  type FakePorts,
} from '../testing';
import { ConfirmTotpSetup } from './confirm-totp-setup';
import { StartTotpSetup } from './start-totp-setup';

async function enrolling() {
  const ports: FakePorts = createFakePorts();
  const user = await seedUser(ports);
  const current = await signIn(ports, user);
  const other = await signIn(ports, user);
  return {
    ports,
    user,
    current,
    other,
    principal: current.principal,
    start: new StartTotpSetup(ports),
    confirm: new ConfirmTotpSetup(ports),
  };
}

describe('ConfirmTotpSetup', () => {
  it('turns TOTP on, issues ten recovery codes, revokes the other sessions and announces it, all at once', async () => {
    const { ports, user, other, principal, start, confirm } = await enrolling();
    await start.execute(principal, { password: PASSWORD }, CONTEXT);
    const { recoveryCodes } = await confirm.execute(principal, { code: totpCode(ports, 'SECRET1') }, CONTEXT);

    expect(recoveryCodes).toHaveLength(10);
    expect(await ports.repositories.users.findById(user.id)).toMatchObject({ mfaEnabled: true, securityChangedAt: ports.clock.now() });
    expect(ports.db.mfaOf(user.id)).toMatchObject({
      pending: null,
      lastUsedStep: FakeTotp.stepOf(ports.clock.now()),
      enabledAt: ports.clock.now(),
    });
    expect(ports.db.recoveryCodes.map((code) => code.hash)).not.toContain(recoveryCodes[0]);
    expect(ports.db.session(other.session.id)?.revokedReason).toBe('mfa_enabled');
    expect(ports.db.session(principal.sessionId)?.revokedAt).toBeNull();
    expect(ports.principals.invalidated).toEqual([other.session.id]);
    expect(eventTypes(ports)).toEqual(['session.revoked', 'user.mfa.enabled']);
    expect(ports.db.audit.filter((entry) => entry.eventType === 'user.mfa.enabled')).toHaveLength(1);
    expect(noticesQueued(ports)).toEqual([expect.objectContaining({ template: 'mfa_enabled', recipient: user.email })]);
  });

  it('changes nothing for a wrong code, and counts it as a failed login', async () => {
    const { ports, user, other, principal, start, confirm } = await enrolling();
    await start.execute(principal, { password: PASSWORD }, CONTEXT);
    expect(await codeOf(confirm.execute(principal, { code: '000000' }, CONTEXT))).toBe('INVALID_MFA_CODE');
    expect((await ports.repositories.users.findById(user.id))?.mfaEnabled).toBe(false);
    expect(ports.db.session(other.session.id)?.revokedAt).toBeNull();
    expect(eventTypes(ports)).toEqual([]);
    expect(ports.loginThrottle.calls).toContain(`failure ${user.email}`);
  });

  it('answers MFA_SETUP_REQUIRED without a pending setup', async () => {
    const { ports, principal, confirm } = await enrolling();
    expect(await codeOf(confirm.execute(principal, { code: totpCode(ports, 'SECRET1') }, CONTEXT))).toBe('MFA_SETUP_REQUIRED');
  });
});
