import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The layering is enforced, not just written down: code that breaks it fails `npm run lint`.
 * Each case lints a snippet as if it were a file of the given project.
 */
const root = path.resolve(__dirname, '../..');
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };

beforeAll(() => {
  // The boundary rule reads Nx's project graph; make sure it is computed (as `npm run lint` does).
  execFileSync(path.join(root, 'node_modules/.bin/nx'), ['show', 'projects'], { cwd: root, env });
}, 60_000);

const TYPED_RULES = [
  '@typescript-eslint/no-floating-promises',
  '@typescript-eslint/no-misused-promises',
  '@typescript-eslint/switch-exhaustiveness-check',
];

/**
 * The boundary probes are files that do not exist, linted from stdin; TypeScript's project service
 * only knows files on disk, so these runs switch the type-aware rules (tested on their own below) off.
 */
const UNTYPED = [
  '--parser-options=projectService:false',
  '--rule',
  JSON.stringify(Object.fromEntries(TYPED_RULES.map((rule) => [rule, 'off']))),
];

/** Runs the real eslint CLI on `code` as if it were the file at `filePath`; the messages of `rule`. */
async function lintErrors(filePath: string, code: string, rule: string): Promise<string[]> {
  const messages = await lintRun(['--stdin', '--stdin-filename', filePath, ...UNTYPED], code);
  return messages.filter((message) => message.ruleId === rule).map((message) => message.message);
}

interface LintMessage {
  ruleId: string | null;
  message: string;
}

/** The real eslint CLI with `args` (and `code` on stdin); every message of the one file linted. */
async function lintRun(args: string[], code: string | undefined): Promise<LintMessage[]> {
  let output: string;
  try {
    output = execFileSync(path.join(root, 'node_modules/.bin/eslint'), [...args, '--format', 'json'], {
      cwd: root,
      env,
      ...(code === undefined ? {} : { input: code }),
    }).toString();
  } catch (error) {
    output = (error as { stdout: Buffer }).stdout.toString();
  }
  const [result] = JSON.parse(output) as Array<{ messages: LintMessage[] }>;
  const messages = result?.messages ?? [];
  if (messages.some((message) => /No cached ProjectGraph/.test(message.message))) throw new Error('the boundary rule was skipped');
  return messages;
}

function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  return lintErrors(filePath, code, '@nx/enforce-module-boundaries');
}

function importRestrictions(filePath: string, code: string): Promise<string[]> {
  return lintErrors(filePath, code, '@typescript-eslint/no-restricted-imports');
}

describe('module boundaries', () => {
  it('forbid the domain lib to import express, Prisma, ioredis, grpc, pg or winston', async () => {
    const packages = ['express', '@prisma/adapter-pg', 'ioredis', '@grpc/grpc-js', 'pg', 'winston'];
    const source =
      packages.map((pkg, i) => `import * as x${i} from '${pkg}';`).join('\n') +
      `\nexport const y = [${packages.map((_, i) => `x${i}`).join(', ')}];\n`;
    const errors = await boundaryErrors('libs/domain/src/model/probe.ts', source);
    expect(errors).toEqual(packages.map((pkg) => expect.stringContaining(`not allowed to import "${pkg}"`)));
  });

  it('forbid the use-cases lib to import a framework or a driver', async () => {
    const packages = ['express', 'pg', 'ioredis'];
    const source =
      packages.map((pkg, i) => `import * as x${i} from '${pkg}';`).join('\n') +
      `\nexport const y = [${packages.map((_, i) => `x${i}`).join(', ')}];\n`;
    const errors = await boundaryErrors('libs/use-cases/src/auth/probe.ts', source);
    expect(errors).toEqual(packages.map((pkg) => expect.stringContaining(`not allowed to import "${pkg}"`)));
  });

  it('forbid the domain lib to depend on the use cases', async () => {
    const errors = await boundaryErrors(
      'libs/domain/src/model/probe.ts',
      "import { createUseCases } from '@pandora/use-cases';\nexport const y = createUseCases;\n",
    );
    expect(errors.join('\n')).toMatch(/type:domain|Circular dependency/);
  });

  it('forbid the domain lib to depend on data-access', async () => {
    const errors = await boundaryErrors(
      'libs/domain/src/model/probe.ts',
      "import { createRepositories } from '@pandora/data-access';\nexport const y = createRepositories;\n",
    );
    expect(errors.join('\n')).toMatch(/type:domain|Circular dependency/);
  });

  it('forbid util libs to depend on domain or data-access', async () => {
    expect(await boundaryErrors('libs/config/src/probe.ts', "import { ROLES } from '@pandora/domain';\nexport const y = ROLES;\n")).toEqual(
      [expect.stringContaining('type:util')],
    );
  });

  it('forbid production code to import the test harness, but allow tests to', async () => {
    const source = "import { createTestDatabase } from '@pandora/testing';\nexport const y = createTestDatabase;\n";
    expect(await boundaryErrors('apps/user-api/src/probe.ts', source)).toEqual([
      expect.stringContaining('can only depend on libs tagged with'),
    ]);
    expect(await boundaryErrors('apps/user-api/test/probe.test.ts', source)).toEqual([]);
  });

  it('forbid the use cases to depend on data-access or on the wiring that builds the adapters', async () => {
    const source =
      "import { createRepositories } from '@pandora/data-access';\nimport { Argon2PasswordHasher } from '@pandora/auth';\nimport { createPorts } from '@pandora/wiring';\nexport const y = [createRepositories, Argon2PasswordHasher, createPorts];\n";
    const errors = await boundaryErrors('libs/use-cases/src/auth/probe.ts', source);
    expect(errors).toEqual([
      expect.stringContaining('can only depend on libs tagged with "type:domain", "type:util"'),
      expect.stringContaining('can only depend on libs tagged with "type:domain", "type:util"'),
      expect.stringMatching(/type:domain|Circular dependency/),
    ]);
  });

  it("allow an app's composition root to use the wiring, the use cases and util libs", async () => {
    const source =
      "import { createUseCases } from '@pandora/use-cases';\nimport { createPorts, checkRedis } from '@pandora/wiring';\nimport { AppError } from '@pandora/errors';\nexport const y = [createUseCases, createPorts, checkRedis, AppError];\n";
    expect(await boundaryErrors('apps/user-api/src/probe.ts', source)).toEqual([]);
    expect(await importRestrictions('apps/user-api/src/probe.ts', source)).toEqual([]);
  });

  it('forbid route and handler files to import adapters or the wiring, so no route can bypass a use case', async () => {
    const source =
      "import { createRepositories } from '@pandora/data-access';\nimport { Argon2PasswordHasher } from '@pandora/auth';\nimport { RedisLoginThrottle } from '@pandora/abuse-controls';\nimport { createPorts } from '@pandora/wiring';\nexport const y = [createRepositories, Argon2PasswordHasher, RedisLoginThrottle, createPorts];\n";
    for (const file of ['apps/user-api/src/http/routes/probe.ts', 'apps/user-grpc/src/grpc/probe.ts']) {
      expect(await importRestrictions(file, source)).toEqual([
        expect.stringContaining("'@pandora/data-access' import is restricted"),
        expect.stringContaining("'@pandora/auth' import is restricted"),
        expect.stringContaining("'@pandora/abuse-controls' import is restricted"),
        expect.stringContaining("'createPorts' import from '@pandora/wiring' is restricted"),
      ]);
    }
    // Types carry no access, and the gRPC status mapping needs the infrastructure-error translation.
    const allowed =
      "import type { KeyRing } from '@pandora/auth';\nimport { translateInfrastructureError } from '@pandora/wiring';\nexport const y = translateInfrastructureError;\nexport type Z = KeyRing;\n";
    expect(await importRestrictions('apps/user-grpc/src/grpc/probe.ts', allowed)).toEqual([]);
  });

  it('forbid the use cases’ production files to import their in-memory fakes, but allow their tests to', async () => {
    const source = "import { createFakePorts } from '../testing';\nexport const y = createFakePorts;\n";
    expect(await lintErrors('libs/use-cases/src/auth/probe.ts', source, 'no-restricted-imports')).toEqual([
      expect.stringContaining('The in-memory fakes are for *.test.ts files only'),
    ]);
    expect(await lintErrors('libs/use-cases/src/auth/probe.test.ts', source, 'no-restricted-imports')).toEqual([]);
  });

  it('forbid user-api and user-grpc to reach PostgreSQL except through the wiring', async () => {
    const source = "import { createRepositories } from '@pandora/data-access';\nexport const y = createRepositories;\n";
    expect(await importRestrictions('apps/user-api/src/composition-root-probe.ts', source)).toEqual([
      expect.stringContaining('Import what the composition root needs from @pandora/wiring'),
    ]);
    expect(await importRestrictions('apps/user-grpc/src/probe.ts', source)).toHaveLength(1);
    // The relay and the retention worker own infrastructure (the outbox reader, advisory locks), not routes.
    expect(await boundaryErrors('apps/event-relay/src/probe.ts', source)).toEqual([]);
    expect(await importRestrictions('apps/event-relay/src/probe.ts', source)).toEqual([]);
  });

  it('forbid the admin console to import any workspace lib, the server libraries included', async () => {
    const libs = ['@pandora/domain', '@pandora/http-kit', '@pandora/use-cases', '@pandora/errors'];
    const source =
      libs.map((lib, i) => `import * as x${i} from '${lib}';`).join('\n') +
      `\nexport const y = [${libs.map((_, i) => `x${i}`).join(', ')}];\n`;
    const errors = await boundaryErrors('apps/admin-console/src/probe.tsx', source);
    expect(errors).toHaveLength(libs.length);
    for (const error of errors) expect(error).toMatch(/type:ui|scope:admin-console|cannot have any dependencies/);
  });

  it('forbid the admin console to ship any npm package but its UI library', async () => {
    const source =
      "import express from 'express';\nimport { z } from 'zod';\nimport { h } from 'preact';\nexport const y = [express, z, h];\n";
    expect(await boundaryErrors('apps/admin-console/src/probe.ts', source)).toEqual([
      expect.stringContaining('not allowed to import "express"'),
      expect.stringContaining('not allowed to import "zod"'),
    ]);
  });

  it('forbid the admin console Node.js modules', async () => {
    const source = "import fs from 'node:fs';\nimport { createHash } from 'crypto';\nexport const y = [fs, createHash];\n";
    expect(await lintErrors('apps/admin-console/src/probe.ts', source, 'no-restricted-imports')).toEqual([
      expect.stringContaining('runs in a browser'),
      expect.stringContaining('runs in a browser'),
    ]);
  });

  it('allow the admin console its UI library, and its tests the test harness', async () => {
    const ui = "import { render } from 'preact';\nimport { useState } from 'preact/hooks';\nexport const y = [render, useState];\n";
    expect(await boundaryErrors('apps/admin-console/src/probe.tsx', ui)).toEqual([]);
    const test = "import { WORKSPACE_ROOT } from '@pandora/testing';\nexport const y = WORKSPACE_ROOT;\n";
    expect(await boundaryErrors('apps/admin-console/src/probe.test.ts', test)).toEqual([]);
    expect(await boundaryErrors('apps/admin-console/src/probe.ts', test)).not.toEqual([]);
  });
});

describe('typed lint', () => {
  it('refuses a promise nobody awaits, a promise passed where a callback result is ignored, and a switch that misses a union member', async () => {
    const source = `export async function save(): Promise<void> {}
export function handler(): void {
  save();
}
export const listener = [1].forEach(async () => save());
type Kind = 'a' | 'b';
export function name(kind: Kind): string {
  switch (kind) {
    case 'a':
      return 'A';
  }
  return '?';
}
`;
    // Type information needs a file on disk inside a project: the probe exists for this test only.
    const file = path.join(root, `libs/domain/src/model/typed-lint-probe-${process.pid}.ts`);
    fs.writeFileSync(file, source);
    try {
      const messages = await lintRun([file], undefined);
      expect(messages.filter((message) => message.ruleId === TYPED_RULES[0])).toHaveLength(1);
      expect(messages.filter((message) => message.ruleId === TYPED_RULES[1])).toHaveLength(1);
      expect(messages.filter((message) => message.ruleId === TYPED_RULES[2])).toEqual([
        expect.objectContaining({ message: expect.stringContaining('"b"') }),
      ]);
    } finally {
      fs.rmSync(file, { force: true });
    }
  }, 180_000);
});
