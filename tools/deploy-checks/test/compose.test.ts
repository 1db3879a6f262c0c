import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { composeViolations, type ComposeFile } from '../src/compose-rules';
import { parseDockerfile } from '../src/dockerfile';
import { REPOSITORY_ROOT } from '../src/repository';

/** docker-compose.yml: structure checked here; `docker compose config` too where the plugin exists. */
const COMPOSE = path.join(REPOSITORY_ROOT, 'docker-compose.yml');
const text = () => fs.readFileSync(COMPOSE, 'utf8');
// Compose files use YAML merge keys (`<<: *app-env`), which YAML 1.2 leaves off by default.
const load = (source: string): ComposeFile => parse(source, { merge: true });
const options = () => ({
  root: REPOSITORY_ROOT,
  dockerfileTargets: parseDockerfile(fs.readFileSync(path.join(REPOSITORY_ROOT, 'Dockerfile'), 'utf8')).stages.map((stage) => stage.name),
});

describe('docker-compose.yml', () => {
  it('runs the data stores, the migration, the apps, the on-demand cleanup and the observability profile, hardened', () => {
    expect(composeViolations(load(text()), options())).toEqual([]);
  });

  it('gives every long-running service a healthcheck, and starts the apps only after the migration', () => {
    const { services = {} } = load(text());
    expect(Object.keys(services).filter((name) => !services[name].healthcheck)).toEqual(['migrate', 'audit-cleanup-worker']);
    expect(services['user-api'].depends_on).toEqual({
      migrate: { condition: 'service_completed_successfully' },
      redis: { condition: 'service_healthy' },
    });
  });

  it('is accepted by `docker compose config` when the Compose plugin is installed', () => {
    const version = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
    const available = !version.error && version.status === 0;
    // No Compose plugin here (the docker CLI exists, the plugin and the daemon do not): the
    // structural checks above are the validation. Where it exists, it must accept the file.
    if (available) {
      const result = spawnSync('docker', ['compose', '-f', COMPOSE, 'config', '--quiet'], { encoding: 'utf8', cwd: REPOSITORY_ROOT });
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    } else {
      // Only a genuinely missing plugin excuses it (not a plugin that exists and fails).
      expect(`${version.stderr ?? ''}${version.error?.message ?? ''}`).toMatch(/unknown command|is not a docker command|ENOENT/);
    }
  });

  it.each([
    [
      'postgres without a healthcheck',
      (source: string) => source.replace('test: ["CMD", "pg_isready", "-U", "postgres", "-d", "pandora"]', 'disable: true'),
      /service postgres: no healthcheck/,
    ],
    [
      'user-api started before the migration finished',
      (source: string) =>
        source.replace('migrate: { condition: service_completed_successfully }', 'migrate: { condition: service_started }'),
      /service user-api: must start after migrate completed successfully/,
    ],
    [
      'a signing key committed into the file',
      (source: string) => source.replace('JWT_SIGNING_KEYS: ${JWT_SIGNING_KEYS:-}', 'JWT_SIGNING_KEYS: \'[{"kid":"k1"}]\''),
      /JWT_SIGNING_KEYS has a committed value/,
    ],
    [
      'a database password committed into a URL',
      (source: string) =>
        source.replace(
          'DATABASE_URL: ${PANDORA_DATABASE_URL:-postgresql://postgres@postgres:5432/pandora}\n  REDIS_URL',
          'DATABASE_URL: ${PANDORA_DATABASE_URL:-postgresql://postgres:hunter2@postgres:5432/pandora}\n  REDIS_URL',
        ),
      /DATABASE_URL has a committed value/,
    ],
    [
      "the relay's session sent through the pooler",
      (source: string) =>
        source.replace(
          '      METRICS_PORT: "9465"\n      # The leader lease and LISTEN need a session of its own: always PostgreSQL itself.\n      DATABASE_DIRECT_URL: postgresql://postgres@postgres:5432/pandora',
          '      METRICS_PORT: "9465"\n      DATABASE_DIRECT_URL: postgresql://postgres@pgbouncer:6432/pandora',
        ),
      /service event-relay: DATABASE_DIRECT_URL must point at the postgres service itself/,
    ],
    [
      'the pooler started with everything else',
      (source: string) => source.replace('    profiles: [pgbouncer]\n', ''),
      /service pgbouncer: belongs to the pgbouncer profile/,
    ],
    [
      'the cleanup worker started with everything else',
      (source: string) => source.replace('    profiles: [jobs]\n', ''),
      /audit-cleanup-worker: is a one-shot job and must be behind a profile/,
    ],
    [
      'an app depending on a profile-only service',
      (source: string) =>
        source.replace('x-needs-data: &needs-data\n', 'x-needs-data: &needs-data\n  jaeger: { condition: service_started }\n'),
      /service user-api: depends on jaeger, which only runs with a profile/,
    ],
    [
      'a writable root filesystem',
      (source: string) =>
        source.replace(
          '  read_only: true\n  tmpfs: [/tmp]\n  cap_drop: [ALL]\n  security_opt: [no-new-privileges:true]\n  init: true',
          '  read_only: false\n  tmpfs: [/tmp]\n  cap_drop: [ALL]\n  security_opt: [no-new-privileges:true]\n  init: true',
        ),
      /service user-grpc: root filesystem must be read-only/,
    ],
    [
      'a build target the Dockerfile lacks',
      (source: string) => source.replace('build: { context: ., target: event-relay }', 'build: { context: ., target: relay }'),
      /builds Dockerfile target relay, which does not exist/,
    ],
    [
      'an image on :latest',
      (source: string) => source.replace('image: redis:7.4.1-alpine', 'image: redis:latest'),
      /service redis: image "redis:latest" uses the mutable :latest tag/,
    ],
    [
      'a port published on every interface',
      (source: string) => source.replace('ports: ["127.0.0.1:9090:9090"]', 'ports: ["9090:9090"]'),
      /service user-grpc: port 9090 is published on every interface/,
    ],
    [
      'a mounted configuration file that does not exist',
      (source: string) => source.replace('./deployments/compose/otel-collector.yaml:', './deployments/compose/otel.yaml:'),
      /mounts \.\/deployments\/compose\/otel\.yaml, which does not exist/,
    ],
  ])('rejects a broken variant: %s', (_name, breakIt, expected) => {
    const broken = breakIt(text());
    expect(broken).not.toBe(text());
    expect(composeViolations(load(broken), options())).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });
});
