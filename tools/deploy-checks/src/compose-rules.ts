import fs from 'node:fs';
import path from 'node:path';
import { LONG_RUNNING_APPS } from './repository';
import { imageViolations, SECRET_NAME } from './workload-rules';

interface ComposeService {
  image?: string;
  build?: string | { context?: string; target?: string };
  profiles?: string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<string | { published?: string | number; target: number; host_ip?: string }>;
  volumes?: Array<string | { source?: string; target: string }>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] | string; disable?: boolean };
  read_only?: boolean;
  tmpfs?: string[] | string;
  cap_drop?: string[];
  security_opt?: string[];
  restart?: string;
}

export interface ComposeFile {
  services?: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const dependencies = (service: ComposeService): Record<string, string | undefined> =>
  Array.isArray(service.depends_on)
    ? Object.fromEntries(service.depends_on.map((name) => [name, undefined]))
    : Object.fromEntries(Object.entries(service.depends_on ?? {}).map(([name, value]) => [name, value?.condition]));

const environment = (service: ComposeService): Record<string, string> =>
  Array.isArray(service.environment)
    ? Object.fromEntries(service.environment.map((entry) => entry.split(/=(.*)/s).slice(0, 2) as [string, string]))
    : Object.fromEntries(Object.entries(service.environment ?? {}).map(([key, value]) => [key, String(value ?? '')]));

const publishedPorts = (service: ComposeService): Array<{ host?: string; port: number }> =>
  (service.ports ?? []).map((port) => {
    if (typeof port !== 'string') return { ...(port.host_ip ? { host: port.host_ip } : {}), port: port.target };
    const parts = port.split(':');
    const target = Number(parts[parts.length - 1]);
    return parts.length === 3 && parts[0] ? { host: parts[0], port: target } : { port: target };
  });

/**
 * A secret-named variable may only be passed through from the shell, be a URL without a password,
 * or be passed through with such a URL as its default.
 */
function isCommittedSecret(value: string): boolean {
  if (value === '') return false;
  const passedThrough = /^\$\{[A-Z0-9_]+(?::?-(.*))?\}$/s.exec(value);
  if (passedThrough) return passedThrough[1] ? isCommittedSecret(passedThrough[1]) : false;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    try {
      return new URL(value).password !== '';
    } catch {
      return true;
    }
  }
  return true;
}

const APP_PORTS: Record<string, number[]> = { 'user-api': [8080, 8081], 'user-grpc': [9090], 'event-relay': [] };
const OBSERVABILITY = ['otel-collector', 'jaeger', 'prometheus'];

/**
 * docker-compose.yml as the issue describes it: data stores with healthchecks and volumes, a one-shot
 * migration before the apps, the four apps (the cleanup worker on demand), an observability profile,
 * containers hardened like the pods, no committed secret, files and build targets that exist.
 */
export function composeViolations(compose: ComposeFile, options: { root: string; dockerfileTargets: string[] }): string[] {
  const problems: string[] = [];
  const services = compose.services ?? {};
  const expected = ['postgres', 'redis', 'migrate', ...LONG_RUNNING_APPS, 'audit-cleanup-worker', ...OBSERVABILITY];
  for (const name of expected) if (!services[name]) problems.push(`no service ${name}`);

  for (const [name, service] of Object.entries(services)) {
    const where = `service ${name}`;
    if (service.image && !service.build) problems.push(...imageViolations(where, service.image, false));
    if (service.build) {
      const target = typeof service.build === 'string' ? undefined : service.build.target;
      if (!target || !options.dockerfileTargets.includes(target))
        problems.push(`${where}: builds Dockerfile target ${target}, which does not exist`);
    }
    for (const [variable, value] of Object.entries(environment(service))) {
      if (SECRET_NAME.test(variable) && isCommittedSecret(value)) {
        problems.push(`${where}: ${variable} has a committed value (pass it through as \${${variable}:-})`);
      }
    }
    for (const port of publishedPorts(service)) {
      if (port.host !== '127.0.0.1') problems.push(`${where}: port ${port.port} is published on every interface (bind it to 127.0.0.1)`);
    }
    for (const volume of service.volumes ?? []) {
      const source = typeof volume === 'string' ? volume.split(':')[0] : (volume.source ?? '');
      if (source.startsWith('.') && !fs.existsSync(path.join(options.root, source)))
        problems.push(`${where}: mounts ${source}, which does not exist`);
      if (!source.startsWith('.') && !source.startsWith('/') && !(source in (compose.volumes ?? {})))
        problems.push(`${where}: named volume ${source} is not declared`);
    }
    for (const dependency of Object.keys(dependencies(service))) {
      const target = services[dependency];
      if (!target) problems.push(`${where}: depends on ${dependency}, which does not exist`);
      // A default service may not wait for one that only starts with a profile.
      else if ((target.profiles ?? []).length > 0 && (service.profiles ?? []).length === 0)
        problems.push(`${where}: depends on ${dependency}, which only runs with a profile`);
    }
  }

  for (const name of ['postgres', 'redis']) {
    const service = services[name];
    if (!service) continue;
    if (!service.healthcheck?.test || service.healthcheck.disable) problems.push(`service ${name}: no healthcheck`);
    if (!(service.volumes ?? []).some((volume) => typeof volume === 'string' && !volume.startsWith('.')))
      problems.push(`service ${name}: no named volume for its data`);
  }

  const migrate = services.migrate;
  if (migrate) {
    if (dependencies(migrate).postgres !== 'service_healthy') problems.push('service migrate: must wait for a healthy postgres');
    if (migrate.restart !== 'no') problems.push('service migrate: is one-shot (restart "no")');
  }

  for (const app of [...LONG_RUNNING_APPS, 'audit-cleanup-worker']) {
    const service = services[app];
    if (!service) continue;
    const where = `service ${app}`;
    const needs = dependencies(service);
    if (needs.migrate !== 'service_completed_successfully') problems.push(`${where}: must start after migrate completed successfully`);
    if (needs.redis !== 'service_healthy') problems.push(`${where}: must wait for a healthy redis`);
    if (service.read_only !== true) problems.push(`${where}: root filesystem must be read-only`);
    if (![service.tmpfs ?? []].flat().includes('/tmp')) problems.push(`${where}: needs a tmpfs /tmp (read-only root)`);
    if (!(service.cap_drop ?? []).includes('ALL')) problems.push(`${where}: must drop ALL capabilities`);
    if (!(service.security_opt ?? []).some((option) => /^no-new-privileges(:true)?$/.test(option)))
      problems.push(`${where}: needs no-new-privileges`);
    const env = environment(service);
    if (env.APP_ENV !== 'dev') problems.push(`${where}: APP_ENV must be dev (local only)`);
    if (!env.DATABASE_URL || !env.REDIS_URL) problems.push(`${where}: DATABASE_URL and REDIS_URL must point at the compose services`);
  }
  for (const app of LONG_RUNNING_APPS) {
    const service = services[app];
    if (!service) continue;
    if (!service.healthcheck?.test || service.healthcheck.disable) problems.push(`service ${app}: no healthcheck`);
    if ((service.profiles ?? []).length > 0) problems.push(`service ${app}: must start by default (no profile)`);
    const ports = publishedPorts(service).map((port) => port.port);
    for (const port of APP_PORTS[app]) if (!ports.includes(port)) problems.push(`service ${app}: port ${port} is not published`);
  }
  // What holds a PostgreSQL session (the read caches' LISTEN, the relay's lease and LISTEN, the
  // worker's lock) never goes through the pooler of the pgbouncer profile.
  for (const app of ['user-api', 'user-grpc', 'event-relay', 'audit-cleanup-worker']) {
    const service = services[app];
    const direct = service ? environment(service).DATABASE_DIRECT_URL : undefined;
    if (service && (!direct || !/@postgres:5432\//.test(direct)))
      problems.push(`service ${app}: DATABASE_DIRECT_URL must point at the postgres service itself`);
  }
  const pooler = services.pgbouncer;
  if (pooler) {
    if (!(pooler.profiles ?? []).includes('pgbouncer')) problems.push('service pgbouncer: belongs to the pgbouncer profile');
    if (!pooler.healthcheck?.test || pooler.healthcheck.disable) problems.push('service pgbouncer: no healthcheck');
    if (environment(pooler).POOL_MODE !== 'transaction')
      problems.push('service pgbouncer: POOL_MODE must be transaction (what deployments run)');
  }

  const worker = services['audit-cleanup-worker'];
  if (worker && (worker.profiles ?? []).length === 0)
    problems.push('service audit-cleanup-worker: is a one-shot job and must be behind a profile (run on demand)');
  for (const name of OBSERVABILITY) {
    if (services[name] && !(services[name].profiles ?? []).includes('observability'))
      problems.push(`service ${name}: belongs to the observability profile`);
  }
  return problems;
}
