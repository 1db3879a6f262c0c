import fs from 'node:fs';
import path from 'node:path';
import { dockerfileViolations, dockerignoreAllows, parseDockerfile, parseDockerignore } from '../src/dockerfile';
import { APPS, REPOSITORY_ROOT } from '../src/repository';

/** The root Dockerfile (one target per app + migrate) and the .dockerignore that feeds it. */
const dockerfileText = () => fs.readFileSync(path.join(REPOSITORY_ROOT, 'Dockerfile'), 'utf8');
const ignorePatterns = () => parseDockerignore(fs.readFileSync(path.join(REPOSITORY_ROOT, '.dockerignore'), 'utf8'));

describe('the Dockerfile', () => {
  it('has a pinned, multi-stage, non-root target per app and for the migrations', () => {
    const dockerfile = parseDockerfile(dockerfileText());
    expect(dockerfileViolations(dockerfile)).toEqual([]);
    expect(dockerfile.stages.map((stage) => stage.name)).toEqual(
      expect.arrayContaining([...APPS, 'migrate', 'deps', 'prod-deps', 'runtime']),
    );
    expect(dockerfile.args.NODE_IMAGE).toMatch(/^node:\d+\.\d+\.\d+-bookworm-slim$/);
  });

  it('copies into the runtime image only production dependencies, the healthcheck script and the app bundle', () => {
    const dockerfile = parseDockerfile(dockerfileText());
    const copies = (stage: string) =>
      dockerfile.stages
        .find((candidate) => candidate.name === stage)
        ?.instructions.filter((i) => i.keyword === 'COPY')
        .map((i) => i.args);
    expect(copies('runtime')).toEqual([
      '--from=prod-deps /src/package.json ./package.json',
      '--from=prod-deps /src/node_modules ./node_modules',
      'deployments/docker/healthcheck.mjs /usr/local/lib/pandora/healthcheck.mjs',
    ]);
    expect(copies('user-api')).toEqual(['--from=build-user-api /src/dist/apps/user-api dist/apps/user-api']);
    expect(copies('migrate')).toEqual(['prisma.config.ts ./', 'libs/data-access/prisma libs/data-access/prisma']);
  });

  it.each([
    [
      'a floating base image',
      (text: string) => text.replace('ARG NODE_IMAGE=node:20.20.2-bookworm-slim', 'ARG NODE_IMAGE=node:20-slim'),
      /base image node:20-slim is not pinned/,
    ],
    [
      'an image running as root',
      (text: string) => text.replace('USER 10001:10001', 'USER root'),
      /target user-api: must run as a numeric non-root USER \(got root\)/,
    ],
    [
      'a server image without HEALTHCHECK',
      (text: string) =>
        text.replace(
          /HEALTHCHECK --interval=15s [^\n]*\\\n\s+CMD \["node", "\/usr\/local\/lib\/pandora\/healthcheck.mjs", "METRICS_PORT", "9465", "\/health"\]\n/,
          '',
        ),
      /target event-relay: no HEALTHCHECK/,
    ],
    [
      'a shell-form entry point',
      (text: string) =>
        text.replace(
          'ENTRYPOINT ["node", "--enable-source-maps", "dist/apps/user-grpc/main.js"]',
          'ENTRYPOINT node dist/apps/user-grpc/main.js',
        ),
      /target user-grpc: ENTRYPOINT\/CMD must be exec form/,
    ],
    ['the whole context copied in', (text: string) => text.replace('COPY libs libs', 'COPY . .'), /COPY of the whole build context/],
    [
      'an app build that takes every app',
      (text: string) => text.replace('COPY apps/event-relay apps/event-relay', 'COPY apps apps'),
      /build-event-relay: must copy apps\/event-relay and no other app/,
    ],
    [
      'user-api built without the admin console it serves',
      (text: string) => text.replace('COPY apps/admin-console apps/admin-console\n', ''),
      /build-user-api: must copy apps\/admin-console, which user-api serves/,
    ],
    [
      'another app built without a reason',
      (text: string) =>
        text.replace(
          'COPY apps/user-grpc apps/user-grpc',
          'COPY apps/user-grpc apps/user-grpc\nCOPY apps/admin-console apps/admin-console',
        ),
      /build-user-grpc: must copy apps\/user-grpc and no other app/,
    ],
    [
      'development dependencies kept',
      (text: string) => text.replace('RUN npm prune --omit=dev --ignore-scripts --no-audit --no-fund', 'RUN true'),
      /no production-only dependency set/,
    ],
  ])('rejects a broken variant: %s', (_name, breakIt, expected) => {
    const broken = breakIt(dockerfileText());
    expect(broken).not.toBe(dockerfileText());
    expect(dockerfileViolations(parseDockerfile(broken))).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });
});

describe('the .dockerignore', () => {
  it('sends every file the Dockerfile copies from the context', () => {
    const patterns = ignorePatterns();
    for (const file of [
      'package.json',
      'package-lock.json',
      'prisma.config.ts',
      'tsconfig.base.json',
      'tools/scripts/build-app.mjs',
      'tools/scripts/build-console.mjs',
      'deployments/docker/healthcheck.mjs',
      'proto/README.md',
      'libs/data-access/prisma/schema.prisma',
      'libs/domain/src/index.ts',
      'apps/user-api/src/main.ts',
      'apps/admin-console/index.html',
      'apps/admin-console/public/favicon.svg',
      'apps/admin-console/src/main.tsx',
      'apps/admin-console/src/api/generated/admin-api.ts',
    ]) {
      expect({ file, allowed: dockerignoreAllows(patterns, file) }).toEqual({ file, allowed: true });
    }
  });

  it('keeps secrets, history, local builds and tests out of the build context', () => {
    const patterns = ignorePatterns();
    for (const file of [
      '.env',
      '.env.local',
      'apps/user-api/.env',
      '.git/config',
      'node_modules/express/index.js',
      'libs/auth/node_modules/x.js',
      'dist/apps/user-api/main.js',
      'apps/user-api/test/login.test.ts',
      'libs/domain/src/kyc.test.ts',
      'apps/admin-console/src/api/admin-api.test.ts',
      'apps/admin-console/test/api-types.test.ts',
      'docs/runbooks/deployment.md',
      'deployments/k8s/base/kustomization.yaml',
      'coverage/lcov.info',
    ]) {
      expect({ file, allowed: dockerignoreAllows(patterns, file) }).toEqual({ file, allowed: false });
    }
  });
});
