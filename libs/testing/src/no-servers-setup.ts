import { forbidServers } from './no-servers';

// Installed before every test file (jest.preset.js), active for the tests beside the sources
// (`src/**/*.test.ts`): they make the quick tier, so `npm test` fails too when one of them opens a
// socket or starts a process, not only `npm run test:unit`. See no-servers.ts.
if (/[\\/]src[\\/]/.test(expect.getState().testPath ?? '')) {
  const guard = forbidServers();

  afterEach(() => {
    // A library may have caught the refusal and retried quietly; the test fails all the same.
    const [attempt] = guard.takeAttempts();
    if (attempt) throw attempt;
  });

  afterAll(() => guard.restore());
}
