import { createServiceUseCases } from './create-service-use-cases';
import { createUseCases } from './create-use-cases';
import { CONTEXT, createFakePorts, PASSWORD, sessionOf } from './testing';

describe('createUseCases', () => {
  it('wires every use case to the one set of ports: a registration is visible to the next login and the admin view', async () => {
    const ports = createFakePorts();
    const useCases = createUseCases(ports);
    const { user } = await useCases.register.execute(
      { email: 'ada@example.com', password: PASSWORD, firstName: 'Ada', lastName: 'L' },
      CONTEXT,
    );
    const { accessToken } = sessionOf(await useCases.logIn.execute({ email: 'ada@example.com', password: PASSWORD }, CONTEXT));
    const principal = await useCases.authenticate.execute(accessToken);
    expect(principal.userId).toBe(user.id);
    expect(await useCases.getAdminUser.execute(user.id)).toMatchObject({ id: user.id, lockedUntil: null });
  });
});

describe('createServiceUseCases', () => {
  it('needs only the database and its cached user reads, the clock, ids and the audit retention', async () => {
    const { uow, repositories, userReads, clock, ids, auditRetentionDays } = createFakePorts();
    const useCases = createServiceUseCases({ uow, repositories, userReads, clock, ids, auditRetentionDays });
    expect(await useCases.validateUser.execute('00000000-0000-4000-8000-999999999999')).toMatchObject({ isValid: false });
  });
});
