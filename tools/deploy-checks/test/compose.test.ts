import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { composeViolations, type ComposeFile } from '../src/compose-rules';
import { composeSpecificationViolations } from '../src/compose-specification';
import { parseDockerfile } from '../src/dockerfile';
import { REPOSITORY_ROOT } from '../src/repository';

/**
 * docker-compose.yml: its structure and what `docker compose config` would reject are checked here
 * without Docker (these machines, CI included, have the docker CLI but no Compose v2 plugin), so
 * these tests fail in CI when the file breaks. `docker compose config` itself runs only where the
 * plugin exists; elsewhere its test says so in its name and in the output.
 */
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

  it('parses, interpolates with no variable set and uses only the Compose specification, as `docker compose config` requires', () => {
    expect(composeSpecificationViolations(text())).toEqual([]);
  });

  // What only `docker compose config` checks: every field against the full Compose Specification
  // schema, interpolation exactly as the CLI does it (with .env files), extends/include/overrides.
  const version = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
  const available = !version.error && version.status === 0;
  it(`${available ? 'is' : 'CANNOT BE'} checked by \`docker compose config\`${available ? '' : ' here: no Docker Compose v2 plugin'}`, () => {
    // No Compose plugin here (the docker CLI exists, the plugin and the daemon do not): the
    // checks above are the validation. Where it exists, it must accept the file.
    if (available) {
      const result = spawnSync('docker', ['compose', '-f', COMPOSE, 'config', '--quiet'], { encoding: 'utf8', cwd: REPOSITORY_ROOT });
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    } else {
      // Only a genuinely missing plugin excuses it (not a plugin that exists and fails).
      expect(`${version.stderr ?? ''}${version.error?.message ?? ''}`).toMatch(/unknown command|is not a docker command|ENOENT/);
      console.warn('docker-compose.yml was NOT checked by `docker compose config`: no Docker Compose v2 plugin on this machine.');
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
      "the apps' sessions sent through the pooler",
      (source: string) =>
        source.replace(
          '  DATABASE_DIRECT_URL: postgresql://postgres@postgres:5432/pandora\n  OTEL_ENABLED',
          '  DATABASE_DIRECT_URL: postgresql://postgres@pgbouncer:6432/pandora\n  OTEL_ENABLED',
        ),
      /service user-api: DATABASE_DIRECT_URL must point at the postgres service itself/,
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

  it.each([
    [
      'a duplicate key',
      (source: string) =>
        source.replace('    image: postgres:15.10-alpine\n', '    image: postgres:15.10-alpine\n    image: postgres:16\n'),
      /YAML: Map keys must be unique/,
    ],
    [
      'an alias that is not defined',
      (source: string) => source.replace('depends_on: *needs-data', 'depends_on: *needs-date'),
      /YAML: .*needs-date/,
    ],
    [
      'a variable without a default',
      (source: string) => source.replace('${LOG_LEVEL:-debug}', '${LOG_LEVEL}'),
      /\$\{LOG_LEVEL\} has no default/,
    ],
    [
      'an interpolation Compose cannot read',
      (source: string) => source.replace('${OTEL_SAMPLE_RATE:-1}', '${OTEL_SAMPLE_RATE:1}'),
      /invalid interpolation \$\{OTEL_SAMPLE_RATE:1\}/,
    ],
    [
      'a misspelt service key',
      (source: string) => source.replace('    ports: ["127.0.0.1:5432:5432"]', '    port: ["127.0.0.1:5432:5432"]'),
      /service postgres: unknown key port$/,
    ],
    [
      'a condition Compose does not know',
      (source: string) => source.replace('postgres: { condition: service_healthy }', 'postgres: { condition: healthy }'),
      /service migrate: depends_on postgres has an unknown condition healthy/,
    ],
    [
      'a healthcheck interval without a unit',
      (source: string) => source.replace('interval: 5s', 'interval: 5'),
      /service postgres: healthcheck interval "5" is not a duration/,
    ],
    [
      'waiting for the health of a service without a healthcheck',
      (source: string) => source.replace('test: ["CMD", "redis-cli", "ping"]', 'disable: true'),
      /service user-api: waits for redis to be healthy, but redis has no healthcheck/,
    ],
    [
      'a restart policy Compose does not know',
      (source: string) => source.replace('restart: "no"', 'restart: never'),
      /service migrate: restart "never" is not a restart policy/,
    ],
  ])('rejects, as `docker compose config` would, %s', (_name, breakIt, expected) => {
    const broken = breakIt(text());
    expect(broken).not.toBe(text());
    expect(composeSpecificationViolations(broken)).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });
});
