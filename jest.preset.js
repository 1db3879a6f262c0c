// Shared Jest settings for every project. TypeScript is compiled by SWC (no type checking here:
// `npm run typecheck` does that), workspace libs resolve to their sources like tsconfig paths do.
const path = require('node:path');

const root = __dirname;

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.[tj]s$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022', keepClassNames: true },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  // jose is ESM-only; everything else in node_modules is already CommonJS.
  transformIgnorePatterns: ['/node_modules/(?!(jose)/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@pandora/([a-z-]+)$': path.join(root, 'libs/$1/src/index.ts'),
    '^@pandora/([a-z-]+)/([a-z-]+)$': path.join(root, 'libs/$1/src/$2.ts'),
  },
  testMatch: ['**/?(*.)test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalSetup: path.join(root, 'libs/testing/src/global-setup.ts'),
  globalTeardown: path.join(root, 'libs/testing/src/global-teardown.ts'),
  // Tests beside the sources (src/**/*.test.ts) may open no socket and start no process.
  setupFilesAfterEnv: [path.join(root, 'libs/testing/src/no-servers-setup.ts')],
  testTimeout: 30_000,
  clearMocks: true,
};
