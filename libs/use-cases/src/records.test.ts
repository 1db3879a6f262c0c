import { NO_REQUEST_CONTEXT } from '@pandora/domain';
import { auditEntry, domainEvent } from './records';
import { CONTEXT, createFakePorts } from './testing';

const actor = { type: 'admin' as const, id: '00000000-0000-4000-8000-00000000abcd', identifier: 'root@example.com' };

describe('audit rows', () => {
  it('are kept for the configured number of days from the moment they record', () => {
    const ports = createFakePorts();
    const at = new Date('2026-03-01T00:00:00.000Z');
    const entry = auditEntry(ports, CONTEXT, { event: 'roleChanged', userId: actor.id, actor, at });
    expect(entry.retentionUntil).toEqual(new Date('2026-03-31T00:00:00.000Z'));
  });

  it('carry the request’s context, the actor and the catalog’s type, category and action', () => {
    const ports = createFakePorts();
    const entry = auditEntry(ports, CONTEXT, { event: 'kycUpdated', userId: actor.id, actor, at: ports.clock.now() });
    expect(entry).toMatchObject({
      eventType: 'user.kyc.updated',
      eventCategory: 'kyc',
      action: 'update_kyc_status',
      actorType: 'admin',
      actorIdentifier: 'root@example.com',
      requestId: CONTEXT.requestId,
      ipAddress: CONTEXT.ipAddress,
      userAgent: CONTEXT.userAgent,
      resourceType: 'user',
      resourceId: actor.id,
      severity: 'info',
      status: 'success',
    });
  });
});

describe('domain events', () => {
  it('carry the request’s context and the actor as metadata', () => {
    const ports = createFakePorts();
    const event = domainEvent(ports, CONTEXT, actor, {
      type: 'user.logged_in',
      userId: actor.id,
      at: ports.clock.now(),
      payload: { email: 'root@example.com' },
    });
    expect(event.metadata).toEqual({
      request_id: CONTEXT.requestId,
      ip_address: CONTEXT.ipAddress,
      user_agent: CONTEXT.userAgent,
      traceparent: CONTEXT.traceparent,
      actor_id: actor.id,
      actor_type: 'admin',
    });
  });

  it('leave out what the call did not carry', () => {
    const ports = createFakePorts();
    const system = { type: 'system' as const, id: null, identifier: 'admin:create' };
    const event = domainEvent(ports, NO_REQUEST_CONTEXT, system, {
      type: 'user.logged_in',
      userId: null,
      at: ports.clock.now(),
      payload: { email: 'a@example.com' },
    });
    expect(event.metadata).toEqual({ actor_type: 'system' });
  });
});
