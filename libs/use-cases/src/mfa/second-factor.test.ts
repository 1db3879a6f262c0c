import { codeOf, CONTEXT, createFakePorts, seedMfaUser, seedUser, totpCode, TOTP_SECRET, type FakePorts } from '../testing';
import { requireSecondFactor } from './second-factor';

/** Stores one recovery code for the user, digested under `keyId`. */
async function giveRecoveryCode(ports: FakePorts, userId: string, code: string, keyId = ports.secretBox.currentKeyId) {
  await ports.db.run((repositories) =>
    repositories.recoveryCodes.replaceAll(
      userId,
      [{ id: ports.ids.newId(), digest: { keyId, hash: `${keyId}:${userId}:${code}` } }],
      ports.clock.now(),
    ),
  );
}

describe('requireSecondFactor', () => {
  it('asks nothing of a user without MFA, whatever code comes along', async () => {
    const ports = createFakePorts();
    const user = await seedUser(ports);
    await expect(requireSecondFactor(ports, ports.repositories, user, undefined, CONTEXT)).resolves.toBeNull();
    await expect(requireSecondFactor(ports, ports.repositories, user, '000000', CONTEXT)).resolves.toBeNull();
    expect(ports.metrics.mfaVerifications).toEqual([]);
  });

  it('answers MFA_REQUIRED without a code and INVALID_MFA_CODE for a wrong, too late or malformed one', async () => {
    const ports = createFakePorts();
    const user = await seedMfaUser(ports);
    const check = (code: string | undefined) => codeOf(requireSecondFactor(ports, ports.repositories, user, code, CONTEXT));
    expect(await check(undefined)).toBe('MFA_REQUIRED');
    expect(await check('000000')).toBe('INVALID_MFA_CODE');
    expect(await check(totpCode(ports, TOTP_SECRET, 2))).toBe('INVALID_MFA_CODE');
    expect(await check('12-34')).toBe('INVALID_MFA_CODE');
    expect(ports.metrics.mfaVerifications).toEqual(['missing', 'invalid_code', 'invalid_code', 'invalid_code']);
    expect(ports.securityLog.events.map((entry) => entry.event)).toEqual(['mfa_code_rejected', 'mfa_code_rejected', 'mfa_code_rejected']);
  });

  it('accepts a TOTP code of this step or the next, once: the same code and earlier ones are replays', async () => {
    const ports = createFakePorts();
    const user = await seedMfaUser(ports);
    const check = (code: string) => codeOf(requireSecondFactor(ports, ports.repositories, user, code, CONTEXT));
    expect(await check(totpCode(ports, TOTP_SECRET, 1))).toBe('OK');
    expect(await check(totpCode(ports, TOTP_SECRET, 1))).toBe('INVALID_MFA_CODE');
    expect(await check(totpCode(ports, TOTP_SECRET, 0))).toBe('INVALID_MFA_CODE');
    expect(ports.metrics.mfaVerifications).toEqual(['success', 'replayed', 'replayed']);
    expect(ports.db.mfaOf(user.id)?.lastUsedStep).toBe(Math.floor(ports.clock.now().getTime() / 30_000) + 1);
  });

  it('uses a recovery code up (any case, with or without its dash)', async () => {
    const ports = createFakePorts();
    const user = await seedMfaUser(ports);
    await giveRecoveryCode(ports, user.id, 'ABCDE23456');
    expect(await codeOf(requireSecondFactor(ports, ports.repositories, user, 'abcde-23456', CONTEXT))).toBe('OK');
    expect(await codeOf(requireSecondFactor(ports, ports.repositories, user, 'ABCDE23456', CONTEXT))).toBe('INVALID_MFA_CODE');
    expect(ports.metrics.mfaVerifications).toEqual(['recovery_code', 'invalid_code']);
  });

  it('recognises a recovery code digested under an older key of the ring', async () => {
    const ports = createFakePorts();
    const user = await seedMfaUser(ports);
    await giveRecoveryCode(ports, user.id, 'ABCDE23456', 'k1');
    expect(await codeOf(requireSecondFactor(ports, ports.repositories, user, 'ABCDE-23456', CONTEXT))).toBe('OK');
  });

  it('re-seals a secret sealed under an older key once it has been opened', async () => {
    const ports = createFakePorts();
    const user = await seedMfaUser(ports, { keyId: 'k1' });
    expect(await codeOf(requireSecondFactor(ports, ports.repositories, user, totpCode(ports), CONTEXT))).toBe('OK');
    const sealed = ports.db.mfaOf(user.id)?.secret;
    expect(sealed?.keyId).toBe('k2');
    expect(ports.secretBox.open(sealed as NonNullable<typeof sealed>, user.id)).toBe(TOTP_SECRET);
  });
});
