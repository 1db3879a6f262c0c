import { forbidServers } from './no-servers';

// Installed before every test file of the unit tier (jest.unit.config.js): see no-servers.ts.
const guard = forbidServers();

afterEach(() => {
  // A library may have caught the refusal and retried quietly; the test fails all the same.
  const [attempt] = guard.takeAttempts();
  if (attempt) throw attempt;
});

afterAll(() => guard.restore());
