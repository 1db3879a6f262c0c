// `npm run test:unit`: the quick tier. Only the tests beside the sources (`src/**/*.test.ts`) of
// every project `jest.config.js` finds, with no global setup (no template database is made). The
// preset's guard fails any of them that opens a socket or starts a process, here and in `npm test`
// (libs/testing/src/no-servers.ts).
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
      setupFilesAfterEnv: [...unitPreset.setupFilesAfterEnv, ...(project.setupFilesAfterEnv ?? [])],
    };
  }),
};
