import { createDomainEvent } from './domain-event';
import { EVENT_PAYLOAD_SCHEMAS, EVENT_TYPES } from './event-catalog';

describe('event catalog', () => {
  it('holds exactly the event types of docs/events.md', () => {
    expect([...EVENT_TYPES].sort()).toEqual(
      [
        'user.registered',
        'user.logged_in',
        'user.profile.updated',
        'user.kyc.updated',
        'user.role.changed',
        'user.password.changed',
        'user.password.reset',
        'user.email.verified',
        'user.email.changed',
        'user.deleted',
        'user.mfa.enabled',
        'user.mfa.disabled',
        'user.account.frozen',
        'user.account.unfrozen',
        'session.revoked',
        'audit.retention.completed',
      ].sort(),
    );
  });

  it('refuses an event whose payload does not match its schema', () => {
    expect(() =>
      createDomainEvent({
        id: '9f1c6a53-7f7e-4b8e-9a55-2b7f8b0c9a11',
        type: 'user.kyc.updated',
        userId: null,
        occurredAt: new Date(),
        // @ts-expect-error — deliberately wrong payload
        payload: { email: 'a@b.com', kyc_status: 'approved' },
        metadata: {},
      }),
    ).toThrow();
  });

  it('refuses extra payload fields, so nothing secret can ride along', () => {
    expect(EVENT_PAYLOAD_SCHEMAS['user.password.changed'].safeParse({ email: 'a@b.com', password: 'x' }).success).toBe(false);
  });
});
