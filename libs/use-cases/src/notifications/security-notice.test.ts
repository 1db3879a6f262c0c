import { FREEZE_LINK_TTL_MS } from '@pandora/domain';
import { CONTEXT, createFakePorts, seedUser } from '../testing';
import { queueSecurityNotice } from './security-notice';

describe('queueSecurityNotice', () => {
  it('queues the mail with when, where from and a freeze link of its own, valid seven days', async () => {
    const ports = createFakePorts();
    const user = await seedUser(ports, { firstName: 'Ada' });
    await ports.db.run((repositories) => queueSecurityNotice(ports, repositories, { user, template: 'mfa_enabled', ctx: CONTEXT }));

    expect(ports.db.mail).toEqual([
      expect.objectContaining({
        userId: user.id,
        template: 'mfa_enabled',
        recipient: user.email,
        data: { first_name: 'Ada', at: ports.clock.now().toISOString(), ip_address: CONTEXT.ipAddress, user_agent: CONTEXT.userAgent },
        linkToken: expect.stringMatching(/^link_token_/),
      }),
    ]);
    const token = ports.db.oneTimeTokens.find((stored) => stored.tokenHash === `hash:${ports.db.mail[0]?.linkToken}`);
    expect(token).toMatchObject({ kind: 'account_freeze', userId: user.id, usedAt: null });
    expect(token?.expiresAt.getTime()).toBe(ports.clock.now().getTime() + FREEZE_LINK_TTL_MS);
  });

  it('keeps every earlier freeze link alive: a newer notice does not supersede them, nor does a password change', async () => {
    const ports = createFakePorts();
    const user = await seedUser(ports);
    for (const template of ['password_changed', 'mfa_enabled', 'new_device_login'] as const) {
      await ports.db.run((repositories) => queueSecurityNotice(ports, repositories, { user, template, ctx: CONTEXT }));
    }
    await ports.db.run((repositories) => repositories.oneTimeTokens.revokeAll(user.id, ports.clock.now()));

    const live = ports.db.oneTimeTokens.filter((stored) => stored.kind === 'account_freeze' && stored.usedAt === null);
    expect(live).toHaveLength(3);
  });

  it('carries the anti-phishing code the account has when the notice is queued', async () => {
    const ports = createFakePorts();
    const user = await seedUser(ports);
    await ports.db.run((repositories) => repositories.users.update(user.id, { antiPhishingCode: 'Orchid42' }, ports.clock.now()));
    await ports.db.run((repositories) =>
      queueSecurityNotice(ports, repositories, { user, template: 'password_changed', ctx: CONTEXT, details: { how: 'change' } }),
    );

    expect(ports.db.mail[0]?.data).toMatchObject({ anti_phishing_code: 'Orchid42', how: 'change' });
  });

  it('goes to another recipient when told (the old address of an email change)', async () => {
    const ports = createFakePorts();
    const user = await seedUser(ports);
    await ports.db.run((repositories) =>
      queueSecurityNotice(ports, repositories, { user, template: 'email_change_notice', ctx: CONTEXT, recipient: 'old@example.com' }),
    );

    expect(ports.db.mail.map((mail) => mail.recipient)).toEqual(['old@example.com']);
  });
});
