import { execFileSync } from 'node:child_process';
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

/** Runs the real eslint CLI on `code` as if it were the file at `filePath`. */
async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  let output: string;
  try {
    output = execFileSync(path.join(root, 'node_modules/.bin/eslint'), ['--stdin', '--stdin-filename', filePath, '--format', 'json'], {
      cwd: root,
      env,
      input: code,
    }).toString();
  } catch (error) {
    output = (error as { stdout: Buffer }).stdout.toString();
  }
  const [result] = JSON.parse(output) as Array<{ messages: Array<{ ruleId: string | null; message: string }> }>;
  const messages = result?.messages ?? [];
  if (messages.some((message) => /No cached ProjectGraph/.test(message.message))) throw new Error('the boundary rule was skipped');
  return messages.filter((message) => message.ruleId === '@nx/enforce-module-boundaries').map((message) => message.message);
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

  it('allow the app to use the use cases, data-access and util libs', async () => {
    const source =
      "import { createUseCases } from '@pandora/use-cases';\nimport { createRepositories } from '@pandora/data-access';\nimport { AppError } from '@pandora/errors';\nexport const y = [createUseCases, createRepositories, AppError];\n";
    expect(await boundaryErrors('apps/user-api/src/probe.ts', source)).toEqual([]);
  });
});
