import { codeOf, CONTEXT, createFakePorts, noticesQueued, PASSWORD, seedMfaUser, seedUser, signIn, totpCode } from '../testing';
import { DisableMfa } from './disable-mfa';

describe('DisableMfa', () => {
  it('needs the password and a code, then removes the factor with an event and an audit row', async () => {
    const ports = createFakePorts();
    const user = await seedMfaUser(ports);
    const { principal } = await signIn(ports, user);
    const disable = new DisableMfa(ports);
    expect(await codeOf(disable.execute(principal, { password: 'wrong', code: totpCode(ports) }, CONTEXT))).toBe('INVALID_CREDENTIALS');
    expect(await codeOf(disable.execute(principal, { password: PASSWORD, code: '000000' }, CONTEXT))).toBe('INVALID_MFA_CODE');
    expect(ports.db.mfaOf(user.id)).toBeDefined();

    await disable.execute(principal, { password: PASSWORD, code: totpCode(ports) }, CONTEXT);
    expect((await ports.repositories.users.findById(user.id))?.mfaEnabled).toBe(false);
    expect(ports.db.mfaOf(user.id)).toBeUndefined();
    expect(ports.db.outbox.filter((event) => event.type === 'user.mfa.disabled').map((event) => event.payload)).toEqual([
      { email: user.email, reason: 'user' },
    ]);
    expect(ports.loginThrottle.calls.filter((call) => !call.startsWith('reserve'))).toEqual([
      `failure ${user.email}`,
      `failure ${user.email}`,
      `success ${user.email}`,
    ]);
    expect(noticesQueued(ports)).toEqual([
      expect.objectContaining({ template: 'mfa_disabled', recipient: user.email, data: expect.objectContaining({ by: 'user' }) }),
    ]);
  });

  it('answers MFA_SETUP_REQUIRED alike for a right and a wrong password when TOTP is off, counting neither', async () => {
    const ports = createFakePorts();
    const user = await seedUser(ports);
    const { principal } = await signIn(ports, user);
    const disable = new DisableMfa(ports);
    expect(await codeOf(disable.execute(principal, { password: PASSWORD, code: '000000' }, CONTEXT))).toBe('MFA_SETUP_REQUIRED');
    expect(await codeOf(disable.execute(principal, { password: 'wrong', code: '000000' }, CONTEXT))).toBe('MFA_SETUP_REQUIRED');
    expect(ports.loginThrottle.failures.get(user.email)).toBeUndefined();
  });
});
