import {
  auditTypes,
  CONTEXT,
  createFakePorts,
  eventTypes,
  PASSWORD,
  seedMfaUser,
  seedUser,
  signIn,
  totpCode,
  type FakePorts,
  linkOf,
} from '../testing';
import { ConfirmEmailChange } from './confirm-email-change';
import { RequestEmailChange } from './request-email-change';

describe('email change', () => {
  let ports: FakePorts;
  let request: RequestEmailChange;
  let confirm: ConfirmEmailChange;

  beforeEach(() => {
    ports = createFakePorts();
    request = new RequestEmailChange(ports);
    confirm = new ConfirmEmailChange(ports);
  });

  it('mails a link to the new address and a notice to the current one, changing nothing yet', async () => {
    const user = await seedUser(ports, { email: 'old@example.com' });
    const { principal } = await signIn(ports, user);
    await request.execute(principal, { newEmail: 'New@Example.com', password: PASSWORD }, CONTEXT);

    expect(ports.db.mail).toEqual([
      expect.objectContaining({ template: 'email_change_confirm', recipient: 'new@example.com', linkToken: expect.any(String) }),
      expect.objectContaining({
        template: 'email_change_notice',
        recipient: 'old@example.com',
        data: expect.objectContaining({ new_email: 'new@example.com' }),
      }),
    ]);
    expect((await ports.repositories.users.findById(user.id))?.email).toBe('old@example.com');
    expect(auditTypes(ports)).toEqual(['user.email.change_requested']);
    expect(eventTypes(ports)).toEqual([]);
  });

  it('changes the address on confirmation, verified, with user.email.changed', async () => {
    const user = await seedUser(ports, { email: 'old@example.com' });
    const { principal } = await signIn(ports, user);
    await request.execute(principal, { newEmail: 'new@example.com', password: PASSWORD }, CONTEXT);
    await confirm.execute({ token: linkOf(ports, 'email_change_confirm') }, CONTEXT);

    const changed = await ports.repositories.users.findById(user.id);
    expect(changed).toMatchObject({ email: 'new@example.com', emailVerifiedAt: ports.clock.now(), securityChangedAt: ports.clock.now() });
    expect(eventTypes(ports)).toEqual(['user.email.changed']);
    expect(ports.db.outbox[0]?.payload).toEqual({ email: 'new@example.com', old_email: 'old@example.com' });
    expect(auditTypes(ports)).toContain('user.email.changed');
    await expect(confirm.execute({ token: linkOf(ports, 'email_change_confirm') }, CONTEXT)).rejects.toMatchObject({
      code: 'INVALID_OR_EXPIRED_TOKEN',
    });
  });

  it('refuses a wrong password with INVALID_CREDENTIALS, counted as a failed login', async () => {
    const user = await seedUser(ports, { email: 'old@example.com' });
    const { principal } = await signIn(ports, user);
    await expect(
      request.execute(principal, { newEmail: 'new@example.com', password: 'wrong password here' }, CONTEXT),
    ).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    expect(ports.loginThrottle.failures.get('old@example.com')).toBe(1);
    expect(ports.db.mail).toEqual([]);
  });

  it('refuses an address an active account holds, at the request and at the confirmation', async () => {
    const user = await seedUser(ports, { email: 'old@example.com' });
    await seedUser(ports, { email: 'taken@example.com' });
    const { principal } = await signIn(ports, user);
    await expect(request.execute(principal, { newEmail: 'taken@example.com', password: PASSWORD }, CONTEXT)).rejects.toMatchObject({
      code: 'USER_ALREADY_EXISTS',
    });

    await request.execute(principal, { newEmail: 'late@example.com', password: PASSWORD }, CONTEXT);
    await seedUser(ports, { email: 'late@example.com' });
    await expect(confirm.execute({ token: linkOf(ports, 'email_change_confirm') }, CONTEXT)).rejects.toMatchObject({
      code: 'USER_ALREADY_EXISTS',
    });
    expect((await ports.repositories.users.findById(user.id))?.email).toBe('old@example.com');
  });

  it('asks an MFA account for its code before judging the password: a wrong one gets the same answer, uncounted', async () => {
    const user = await seedMfaUser(ports, { email: 'old@example.com' });
    const { principal } = await signIn(ports, user);
    for (const password of [PASSWORD, 'not the password'])
      await expect(request.execute(principal, { newEmail: 'new@example.com', password }, CONTEXT)).rejects.toMatchObject({
        code: 'MFA_REQUIRED',
      });
    expect(ports.metrics.mfaVerifications).toEqual(['missing', 'missing']);
    expect(ports.loginThrottle.failures.get(user.email)).toBeUndefined();
  });

  it('asks an MFA account for its code', async () => {
    const user = await seedMfaUser(ports, { email: 'old@example.com' });
    const { principal } = await signIn(ports, user);
    await expect(request.execute(principal, { newEmail: 'new@example.com', password: PASSWORD }, CONTEXT)).rejects.toMatchObject({
      code: 'MFA_REQUIRED',
    });
    await expect(
      request.execute(principal, { newEmail: 'new@example.com', password: PASSWORD, mfaCode: '000000' }, CONTEXT),
    ).rejects.toMatchObject({ code: 'INVALID_MFA_CODE' });
    await request.execute(principal, { newEmail: 'new@example.com', password: PASSWORD, mfaCode: totpCode(ports) }, CONTEXT);
    expect(ports.db.mail.map((mail) => mail.template)).toEqual(['email_change_confirm', 'email_change_notice']);
  });

  it('kills every other link of the account once the address changed', async () => {
    const user = await seedUser(ports, { email: 'old@example.com' });
    const { principal } = await signIn(ports, user);
    await request.execute(principal, { newEmail: 'new@example.com', password: PASSWORD }, CONTEXT);
    const first = linkOf(ports, 'email_change_confirm');
    await request.execute(principal, { newEmail: 'other@example.com', password: PASSWORD }, CONTEXT);
    // The newer request superseded the first link.
    await expect(confirm.execute({ token: first }, CONTEXT)).rejects.toMatchObject({ code: 'INVALID_OR_EXPIRED_TOKEN' });
    await confirm.execute({ token: linkOf(ports, 'email_change_confirm') }, CONTEXT);
    // The freeze links of the notices stay: the change may be an attacker's (docs/accounts.md).
    const live = ports.db.oneTimeTokens.filter((token) => token.usedAt === null);
    expect(live.map((token) => token.kind)).toEqual(['account_freeze', 'account_freeze']);
  });

  it('refuses the account’s own address as the new one', async () => {
    const user = await seedUser(ports, { email: 'old@example.com' });
    const { principal } = await signIn(ports, user);
    await expect(request.execute(principal, { newEmail: 'OLD@example.com', password: PASSWORD }, CONTEXT)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });
});
