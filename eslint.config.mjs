import { builtinModules } from 'node:module';
import nx from '@nx/eslint-plugin';

/**
 * Layering (ARCHITECTURE.md): apps → feature (the use cases) → domain and data-access → util,
 * enforced by tags. Neither the domain nor the use cases may import a framework, a driver or a
 * crypto binding: the domain states rules and ports, the use cases are written against the ports. Test files may additionally use the testing lib.
 */
const FRAMEWORKS_AND_DRIVERS = [
  'express',
  'express-*',
  'body-parser',
  'helmet',
  'cors',
  'prisma',
  '@prisma/*',
  'pg',
  'ioredis',
  'redis',
  '@grpc/*',
  'winston',
  'prom-client',
  'jose',
  '@node-rs/*',
  '@opentelemetry/*',
];

/**
 * The admin console (type:ui) runs in a browser and talks to the server only over HTTP: it may
 * import no workspace lib at all (its API types are generated from the OpenAPI document), and its
 * shipped code no npm package but its UI library. Its tests may use the test harness.
 */
const UI_RUNTIME_PACKAGES = ['preact', 'preact/*'];

function boundaries({ allowTesting }) {
  const testing = allowTesting ? ['type:testing'] : [];
  return [
    'error',
    {
      enforceBuildableLibDependency: false,
      banTransitiveDependencies: false,
      depConstraints: [
        { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:domain', 'type:data-access', 'type:util', ...testing] },
        {
          sourceTag: 'type:feature',
          onlyDependOnLibsWithTags: ['type:domain', 'type:data-access', 'type:util', ...testing],
          bannedExternalImports: FRAMEWORKS_AND_DRIVERS,
        },
        { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:domain', 'type:util', ...testing] },
        { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:util', ...testing], bannedExternalImports: FRAMEWORKS_AND_DRIVERS },
        { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', ...testing] },
        { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:util'] },
        allowTesting
          ? { sourceTag: 'type:ui', onlyDependOnLibsWithTags: testing, bannedExternalImports: FRAMEWORKS_AND_DRIVERS }
          : { sourceTag: 'type:ui', onlyDependOnLibsWithTags: [], allowedExternalImports: UI_RUNTIME_PACKAGES },
        { sourceTag: 'scope:admin-console', onlyDependOnLibsWithTags: ['scope:admin-console', ...(allowTesting ? ['scope:shared'] : [])] },
        { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
        { sourceTag: 'scope:user-api', onlyDependOnLibsWithTags: ['scope:shared', 'scope:user-api'] },
        { sourceTag: 'scope:audit-cleanup-worker', onlyDependOnLibsWithTags: ['scope:shared', 'scope:audit-cleanup-worker'] },
        { sourceTag: 'scope:deploy-checks', onlyDependOnLibsWithTags: ['scope:shared', 'scope:deploy-checks'] },
        { sourceTag: 'scope:user-grpc', onlyDependOnLibsWithTags: ['scope:shared', 'scope:user-grpc'] },
        { sourceTag: 'scope:event-relay', onlyDependOnLibsWithTags: ['scope:shared', 'scope:event-relay'] },
        { sourceTag: 'scope:bench', onlyDependOnLibsWithTags: ['scope:shared', 'scope:bench'] },
      ],
    },
  ];
}

const TEST_FILES = ['**/*.test.ts', '**/test/**/*.ts'];

/** Node's own modules, which the module-boundary rule cannot see (they are not in the project graph). */
const NODE_BUILTINS = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '**/tmp/**', '**/coverage/**', '**/generated/**', '.nx/**'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries({ allowTesting: false }),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: TEST_FILES,
    rules: { '@nx/enforce-module-boundaries': boundaries({ allowTesting: true }) },
  },
  {
    files: ['apps/admin-console/src/**/*.ts', 'apps/admin-console/src/**/*.tsx'],
    ignores: TEST_FILES,
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: NODE_BUILTINS.map((name) => ({ name, message: 'The admin console runs in a browser: no Node.js modules.' })) },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
];
