import { builtinModules } from 'node:module';
import nx from '@nx/eslint-plugin';

/**
 * Layering (ARCHITECTURE.md): apps → wiring (the one adapter factory) → feature (the use cases) →
 * domain and data-access → util, enforced by tags. Neither the domain nor the use cases may import
 * a framework, a driver or a crypto binding, and the use cases cannot reach data-access: the domain
 * states rules and ports, the use cases are written against the ports, the wiring lib plugs the
 * adapters in. Test files may additionally use the testing lib.
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
  'nodemailer',
  'smtp-server',
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
        {
          sourceTag: 'type:app',
          onlyDependOnLibsWithTags: ['type:wiring', 'type:feature', 'type:domain', 'type:data-access', 'type:util', ...testing],
        },
        {
          sourceTag: 'type:wiring',
          onlyDependOnLibsWithTags: ['type:feature', 'type:domain', 'type:data-access', 'type:util', ...testing],
        },
        {
          sourceTag: 'type:feature',
          onlyDependOnLibsWithTags: ['type:domain', 'type:util', ...testing],
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

const ADAPTER_LIBS = ['@pandora/data-access', '@pandora/auth', '@pandora/abuse-controls'];

/**
 * Transports call use cases, nothing below them: route and handler files may not import the
 * adapters (a route reaching a repository would skip the use case's rules, audit row and event)
 * nor the wiring lib that builds them. Types stay importable (jwks.routes.ts names the KeyRing it
 * is given); user-grpc's status mapping may take the infrastructure-error translation.
 */
const TRANSPORT_RESTRICTIONS = [
  'error',
  {
    paths: [
      ...ADAPTER_LIBS.map((name) => ({
        name,
        allowTypeImports: true,
        message: 'Routes and handlers call use cases; adapters are wired in the composition root through @pandora/wiring.',
      })),
      {
        name: '@pandora/wiring',
        allowImportNames: ['translateInfrastructureError'],
        message: 'Routes and handlers call use cases; only the composition root wires adapters.',
      },
    ],
  },
];

/** user-api and user-grpc reach PostgreSQL only through @pandora/wiring (ports, readiness, error translation). */
const DATABASE_THROUGH_WIRING = [
  'error',
  {
    paths: [
      {
        name: '@pandora/data-access',
        message:
          'Import what the composition root needs from @pandora/wiring (createPorts, readiness checks, translateInfrastructureError).',
      },
    ],
  },
];

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
    // Type-aware rules: a promise nobody awaits loses its error; a promise where a callback's
    // result is ignored (an express handler, an event listener) does too; a switch over a union
    // must name every member, so a new error code or event type is a compile-time question.
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
    },
  },
  {
    files: ['apps/user-api/src/**/*.ts', 'apps/user-grpc/src/**/*.ts'],
    ignores: TEST_FILES,
    rules: { '@typescript-eslint/no-restricted-imports': DATABASE_THROUGH_WIRING },
  },
  {
    files: ['apps/*/src/http/**/*.ts', 'apps/*/src/grpc/**/*.ts'],
    ignores: TEST_FILES,
    rules: { '@typescript-eslint/no-restricted-imports': TRANSPORT_RESTRICTIONS },
  },
  {
    // The use cases' in-memory fakes are for their unit tests only: no production file may import
    // them (they are not exported from the lib's index either, so no bundle can contain them).
    files: ['libs/use-cases/src/**/*.ts'],
    ignores: [...TEST_FILES, 'libs/use-cases/src/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/testing', '**/testing/*'], message: 'The in-memory fakes are for *.test.ts files only.' }] },
      ],
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
