import type { AppError } from '@pandora/errors';
import { auditTypes, CONTEXT, createFakePorts, seedUser, signIn } from '../testing';
import { SetAntiPhishingCode } from './set-anti-phishing-code';

describe('SetAntiPhishingCode', () => {
  it('stores the code, replaces it and removes it, auditing each change without the code itself', async () => {
    const ports = createFakePorts();
    const user = await seedUser(ports);
    const { principal } = await signIn(ports, user);
    const setCode = new SetAntiPhishingCode(ports);

    await setCode.execute(principal, { code: 'Orchid42' }, CONTEXT);
    expect((await ports.repositories.users.findById(user.id))?.antiPhishingCode).toBe('Orchid42');
    await setCode.execute(principal, { code: 'Orchid42' }, CONTEXT);
    await setCode.execute(principal, { code: null }, CONTEXT);
    expect((await ports.repositories.users.findById(user.id))?.antiPhishingCode).toBeNull();

    expect(auditTypes(ports)).toEqual(['user.anti_phishing_code.changed', 'user.anti_phishing_code.changed']);
    expect(ports.db.audit.map((entry) => entry.metadata)).toEqual([{ set: true }, { set: false }]);
    expect(JSON.stringify(ports.db.audit)).not.toContain('Orchid42');
  });

  it('refuses anything but 4 to 20 letters and digits with INVALID_INPUT', async () => {
    const ports = createFakePorts();
    const { principal } = await signIn(ports, await seedUser(ports));
    const setCode = new SetAntiPhishingCode(ports);
    for (const code of ['abc', 'x'.repeat(21), '<b>hi</b>', 'with space', 'Ünïcode1', '']) {
      await expect(setCode.execute(principal, { code }, CONTEXT).catch((error: AppError) => error.code)).resolves.toBe('INVALID_INPUT');
    }
    expect(auditTypes(ports)).toEqual([]);
  });
});
