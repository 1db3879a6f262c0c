// `npm run test:unit`: the quick tier. Only the tests beside the sources (`src/**/*.test.ts`) of
// every project `jest.config.js` finds, with no global setup (no template database is made) and a
// guard that fails any test which opens a socket or starts a process (libs/testing/src/no-servers.ts).
// Tests that need PostgreSQL, Redis, SMTP, processes or a browser live in each project's `test/`
// folder and run with everything else in `npm test` (jest.config.js).
const path = require('node:path');
const full = require('./jest.config');
const preset = require('./jest.preset');

const { globalSetup: _globalSetup, globalTeardown: _globalTeardown, testMatch: _testMatch, ...unitPreset } = preset;

module.exports = {
  transform: preset.transform,
  transformIgnorePatterns: preset.transformIgnorePatterns,
  testTimeout: preset.testTimeout,
  projects: full.projects.map((projectDir) => {
    // The project's own settings without its preset: the preset brings the global setup.
    const { preset: _preset, ...project } = require(path.join(projectDir, 'jest.config.js'));
    return {
      ...unitPreset,
      ...project,
      rootDir: projectDir,
      testMatch: ['<rootDir>/src/**/?(*.)test.ts'],
      setupFilesAfterEnv: [path.join(__dirname, 'libs/testing/src/unit-tier-setup.ts'), ...(project.setupFilesAfterEnv ?? [])],
    };
  }),
};
