import { codeOf, CONTEXT, createFakePorts, seedMfaUser, seedUser, signIn, totpCode } from '../testing';
import { GetMfaStatus } from './get-mfa-status';
import { RegenerateRecoveryCodes } from './regenerate-recovery-codes';

describe('RegenerateRecoveryCodes', () => {
  it('replaces the set with a code: the old set stops working, the new one counts ten', async () => {
    const ports = createFakePorts();
    const user = await seedMfaUser(ports);
    const { principal } = await signIn(ports, user);
    const first = await new RegenerateRecoveryCodes(ports).execute(principal, { code: totpCode(ports) }, CONTEXT);
    ports.clock.advance(30_000);
    const { recoveryCodes } = await new RegenerateRecoveryCodes(ports).execute(principal, { code: first.recoveryCodes[0] ?? '' }, CONTEXT);
    expect(recoveryCodes).toHaveLength(10);
    expect(recoveryCodes).not.toEqual(expect.arrayContaining([first.recoveryCodes[1]]));
    expect(await new GetMfaStatus(ports).execute(principal)).toEqual({ totpEnabled: true, recoveryCodesRemaining: 10 });
    expect(ports.db.audit.filter((entry) => entry.eventType === 'user.mfa.recovery_codes_regenerated')).toEqual([
      expect.objectContaining({ metadata: { second_factor: 'totp', recovery_codes_issued: 10 } }),
      expect.objectContaining({ metadata: { second_factor: 'recovery_code', recovery_codes_issued: 10 } }),
    ]);
  });

  it('refuses a wrong code and counts it as a failed login', async () => {
    const ports = createFakePorts();
    const user = await seedMfaUser(ports);
    const { principal } = await signIn(ports, user);
    expect(await codeOf(new RegenerateRecoveryCodes(ports).execute(principal, { code: '000000' }, CONTEXT))).toBe('INVALID_MFA_CODE');
    expect(ports.loginThrottle.failures.get(user.email)).toBe(1);
    expect(ports.db.recoveryCodes).toEqual([]);
  });

  it('answers MFA_SETUP_REQUIRED for an account without TOTP', async () => {
    const ports = createFakePorts();
    const user = await seedUser(ports);
    const { principal } = await signIn(ports, user);
    expect(await codeOf(new RegenerateRecoveryCodes(ports).execute(principal, { code: '123456' }, CONTEXT))).toBe('MFA_SETUP_REQUIRED');
  });
});
