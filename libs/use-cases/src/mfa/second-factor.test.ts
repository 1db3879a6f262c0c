import type { AppError } from '@pandora/errors';
import { NO_REQUEST_CONTEXT } from '@pandora/domain';
import { requireSecondFactor } from './second-factor';
import { InMemoryMfaWorld } from './testing/in-memory-mfa-world';

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'OK',
    (error: AppError) => error.code,
  );

describe('requireSecondFactor', () => {
  it('asks nothing of a user without MFA, whatever code comes along', async () => {
    const world = new InMemoryMfaWorld();
    const user = world.addUser();
    await expect(requireSecondFactor(world.deps, world.repositories, user, undefined, NO_REQUEST_CONTEXT)).resolves.toBeNull();
    await expect(requireSecondFactor(world.deps, world.repositories, user, '000000', NO_REQUEST_CONTEXT)).resolves.toBeNull();
    expect(world.verifications).toEqual([]);
  });

  it('answers MFA_REQUIRED without a code and INVALID_MFA_CODE for a wrong or malformed one', async () => {
    const world = new InMemoryMfaWorld();
    const user = world.addMfaUser();
    const check = (code: string | undefined) => codeOf(requireSecondFactor(world.deps, world.repositories, user, code, NO_REQUEST_CONTEXT));
    expect(await check(undefined)).toBe('MFA_REQUIRED');
    expect(await check('000000')).toBe('INVALID_MFA_CODE');
    expect(await check(world.code('SECRETX', 2))).toBe('INVALID_MFA_CODE');
    expect(await check('12-34')).toBe('INVALID_MFA_CODE');
    expect(world.verifications).toEqual(['missing', 'invalid_code', 'invalid_code', 'invalid_code']);
  });

  it('accepts a TOTP code of this step or the next, once: the same code and earlier ones are replays', async () => {
    const world = new InMemoryMfaWorld();
    const user = world.addMfaUser();
    const check = (code: string) => codeOf(requireSecondFactor(world.deps, world.repositories, user, code, NO_REQUEST_CONTEXT));
    expect(await check(world.code('SECRETX', 1))).toBe('OK');
    expect(await check(world.code('SECRETX', 1))).toBe('INVALID_MFA_CODE');
    expect(await check(world.code('SECRETX', 0))).toBe('INVALID_MFA_CODE');
    expect(world.verifications).toEqual(['success', 'replayed', 'replayed']);
    expect(world.state.mfa.get(user.id)?.lastUsedStep).toBe(world.clock.step + 1);
  });

  it('uses a recovery code up (any case, with or without its dash)', async () => {
    const world = new InMemoryMfaWorld();
    const user = world.addMfaUser();
    await world.repositories.recoveryCodes.replaceAll(
      user.id,
      [{ id: 'c1', digest: world.secretBox.digest('ABCDE23456', user.id) }],
      world.clock.now(),
    );
    expect(await codeOf(requireSecondFactor(world.deps, world.repositories, user, 'abcde-23456', NO_REQUEST_CONTEXT))).toBe('OK');
    expect(await codeOf(requireSecondFactor(world.deps, world.repositories, user, 'ABCDE23456', NO_REQUEST_CONTEXT))).toBe(
      'INVALID_MFA_CODE',
    );
    expect(world.verifications).toEqual(['recovery_code', 'invalid_code']);
  });

  it('recognises a recovery code digested under an older key of the ring', async () => {
    const world = new InMemoryMfaWorld();
    const user = world.addMfaUser();
    await world.repositories.recoveryCodes.replaceAll(
      user.id,
      [{ id: 'c1', digest: { keyId: 'k1', hash: `k1:${user.id}:ABCDE23456` } }],
      world.clock.now(),
    );
    expect(await codeOf(requireSecondFactor(world.deps, world.repositories, user, 'ABCDE-23456', NO_REQUEST_CONTEXT))).toBe('OK');
  });

  it('re-seals a secret sealed under an older key once it has been opened', async () => {
    const world = new InMemoryMfaWorld();
    const user = world.addMfaUser('SECRETX', 'k1');
    expect(await codeOf(requireSecondFactor(world.deps, world.repositories, user, world.code(), NO_REQUEST_CONTEXT))).toBe('OK');
    const sealed = world.state.mfa.get(user.id)?.secret;
    expect(sealed?.keyId).toBe('k2');
    expect(world.secretBox.open(sealed as NonNullable<typeof sealed>, user.id)).toBe('SECRETX');
  });
});
