import { RegisterUser } from '../auth/register-user';
import { auditTypes, CONTEXT, createFakePorts, eventTypes, HOUR_MS, seedUser, signIn, type FakePorts, linkOf } from '../testing';
import { RequestEmailVerification } from './request-email-verification';
import { VerifyEmail } from './verify-email';

describe('email verification', () => {
  let ports: FakePorts;

  beforeEach(() => {
    ports = createFakePorts();
  });

  it('queues a verify_email mail with a link in the registration’s transaction', async () => {
    await new RegisterUser(ports).execute(
      { email: 'New@Example.com', password: 'a long enough passphrase', firstName: 'Ada', lastName: 'L' },
      CONTEXT,
    );
    expect(ports.db.mail).toEqual([
      expect.objectContaining({
        template: 'verify_email',
        recipient: 'new@example.com',
        linkToken: expect.any(String),
        data: expect.objectContaining({ first_name: 'Ada' }),
      }),
    ]);
    const [token] = ports.db.oneTimeTokens;
    expect(token).toMatchObject({ kind: 'email_verification', email: 'new@example.com', usedAt: null });
    expect(token?.expiresAt.getTime()).toBe(ports.clock.now().getTime() + 24 * HOUR_MS);
    // Only the hash is stored beside the account.
    expect(token?.tokenHash).not.toBe(ports.db.mail[0]?.linkToken);
  });

  it('marks the address verified with an event and an audit row, once', async () => {
    await new RegisterUser(ports).execute(
      { email: 'ada@example.com', password: 'a long enough passphrase', firstName: 'Ada', lastName: 'L' },
      CONTEXT,
    );
    const token = linkOf(ports, 'verify_email');
    await new VerifyEmail(ports).execute({ token }, CONTEXT);

    expect(ports.db.users[0]?.emailVerifiedAt).toEqual(ports.clock.now());
    expect(eventTypes(ports)).toEqual(['user.registered', 'user.email.verified']);
    expect(ports.db.outbox[1]?.payload).toEqual({ email: 'ada@example.com' });
    expect(auditTypes(ports)).toContain('user.email.verified');
    await expect(new VerifyEmail(ports).execute({ token }, CONTEXT)).rejects.toMatchObject({ code: 'INVALID_OR_EXPIRED_TOKEN' });
  });

  it.each([
    ['garbage', 'not a token'],
    ['unknown', 'link_token_999'],
  ])('refuses a %s token with INVALID_OR_EXPIRED_TOKEN', async (_name, token) => {
    await expect(new VerifyEmail(ports).execute({ token }, CONTEXT)).rejects.toMatchObject({ code: 'INVALID_OR_EXPIRED_TOKEN' });
  });

  it('refuses an expired token', async () => {
    await new RegisterUser(ports).execute(
      { email: 'ada@example.com', password: 'a long enough passphrase', firstName: 'Ada', lastName: 'L' },
      CONTEXT,
    );
    ports.clock.advance(24 * HOUR_MS + 1);
    await expect(new VerifyEmail(ports).execute({ token: linkOf(ports, 'verify_email') }, CONTEXT)).rejects.toMatchObject({
      code: 'INVALID_OR_EXPIRED_TOKEN',
    });
  });

  it('supersedes the older link when a new mail is asked for', async () => {
    const user = await seedUser(ports);
    const { principal } = await signIn(ports, user);
    const request = new RequestEmailVerification(ports);
    await request.execute(principal, CONTEXT);
    const first = linkOf(ports, 'verify_email');
    await request.execute(principal, CONTEXT);
    const second = linkOf(ports, 'verify_email');

    await expect(new VerifyEmail(ports).execute({ token: first }, CONTEXT)).rejects.toMatchObject({ code: 'INVALID_OR_EXPIRED_TOKEN' });
    await new VerifyEmail(ports).execute({ token: second }, CONTEXT);
    expect((await ports.repositories.users.findById(user.id))?.emailVerifiedAt).not.toBeNull();
  });

  it('answers EMAIL_ALREADY_VERIFIED once the address is proved', async () => {
    const user = await seedUser(ports);
    const { principal } = await signIn(ports, user);
    await ports.db.run((repositories) => repositories.users.update(user.id, { emailVerifiedAt: ports.clock.now() }, ports.clock.now()));
    await expect(new RequestEmailVerification(ports).execute(principal, CONTEXT)).rejects.toMatchObject({ code: 'EMAIL_ALREADY_VERIFIED' });
    expect(ports.db.mail).toEqual([]);
  });

  it('allows three mails per hour per account, then 429 with Retry-After, and again after the window', async () => {
    const user = await seedUser(ports);
    const { principal } = await signIn(ports, user);
    const request = new RequestEmailVerification(ports);
    for (let i = 0; i < 3; i++) await request.execute(principal, CONTEXT);
    await expect(request.execute(principal, CONTEXT)).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 3600 });
    expect(ports.db.mail).toHaveLength(3);
    ports.clock.advance(HOUR_MS + 1);
    await request.execute(principal, CONTEXT);
    expect(ports.db.mail).toHaveLength(4);
  });

  it('does not verify an address the account no longer has', async () => {
    const user = await seedUser(ports, { email: 'old@example.com' });
    const { principal } = await signIn(ports, user);
    await new RequestEmailVerification(ports).execute(principal, CONTEXT);
    const token = linkOf(ports, 'verify_email');
    await ports.db.run((repositories) => repositories.users.update(user.id, { email: 'new@example.com' }, ports.clock.now()));
    await expect(new VerifyEmail(ports).execute({ token }, CONTEXT)).rejects.toMatchObject({ code: 'INVALID_OR_EXPIRED_TOKEN' });
  });
});
