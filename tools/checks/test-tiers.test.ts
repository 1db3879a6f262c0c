import path from 'node:path';
import { read, repositoryFiles, ROOT } from './markdown';

/**
 * The quick tier (`npm run test:unit`, `npx nx affected -t test-unit`) stays what README's "Running
 * the tests" says: every project's `src/**\/*.test.ts`, no global setup, the no-servers guard, and an
 * Nx target whose cache is invalidated by every file those tests read.
 */
interface JestProject {
  displayName: string;
  rootDir: string;
  testMatch: string[];
  globalSetup?: string;
  globalTeardown?: string;
  setupFilesAfterEnv: string[];
}
interface NxTarget {
  executor?: string;
  cache?: boolean;
  inputs?: string[];
}

const unitConfig = require(path.join(ROOT, 'jest.unit.config.js')) as { projects: JestProject[] };
const fullConfig = require(path.join(ROOT, 'jest.config.js')) as { projects: string[] };
const nx = JSON.parse(read('nx.json')) as { targetDefaults: Record<string, NxTarget>; namedInputs: Record<string, string[]> };
const projectJson = (projectDir: string) =>
  JSON.parse(read(path.posix.join(path.relative(ROOT, projectDir), 'project.json'))) as { name: string; targets: Record<string, NxTarget> };

describe('the unit test tier', () => {
  it('covers the src tests of every Jest project, without the global setup, behind the no-servers guard', () => {
    expect(unitConfig.projects.map((project) => project.rootDir)).toEqual(fullConfig.projects);
    for (const project of unitConfig.projects) {
      expect({
        name: project.displayName,
        testMatch: project.testMatch,
        globalSetup: project.globalSetup,
        globalTeardown: project.globalTeardown,
      }).toEqual({
        name: project.displayName,
        testMatch: ['<rootDir>/src/**/?(*.)test.ts'],
        globalSetup: undefined,
        globalTeardown: undefined,
      });
      expect(project.setupFilesAfterEnv).toContain(path.join(ROOT, 'libs/testing/src/no-servers-setup.ts'));
    }
  });

  it('has a cached Nx target in every Jest project, named so that --selectProjects finds it', () => {
    expect(nx.targetDefaults['test-unit']).toMatchObject({ cache: true, executor: 'nx:run-commands' });
    for (const project of unitConfig.projects) {
      const nxProject = projectJson(project.rootDir);
      expect({ project: nxProject.name, target: nxProject.targets['test-unit'] !== undefined }).toEqual({
        project: project.displayName,
        target: true,
      });
    }
  });

  it("lists the workspace files a project's unit tests read among its test-unit inputs", () => {
    const unitTests = repositoryFiles().filter((file) => /^(apps|libs|tools)\/[^/]+\/src\/.+\.test\.ts$/.test(file));
    const missing = new Set<string>();
    for (const file of unitTests) {
      const projectDir = path.join(ROOT, ...file.split('/').slice(0, 2));
      const target = projectJson(projectDir).targets['test-unit'] ?? {};
      const inputs = target.inputs ?? nx.targetDefaults['test-unit']?.inputs ?? [];
      // What the tests of this repository read outside their project: documents under docs/.
      for (const [, document] of read(file).matchAll(/['"`](?:\.\.\/)*(docs\/[\w./-]+)['"`]/g)) {
        if (!inputs.includes(`{workspaceRoot}/${document}`)) missing.add(`${file} reads ${document}`);
      }
    }
    expect([...missing]).toEqual([]);
  });
});
