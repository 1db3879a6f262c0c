import { find, field, ofKind, podTemplates, resolvePort, selects, type Container, type PodTemplate, type Probe } from './k8s-model';
import type { K8sObject } from './kustomize';
import { ingressViolations, networkPolicyViolations, referenceViolations } from './network-rules';
import { APP_ENV_OF, namespaceOf, type AppName, type Environment } from './repository';
import { effectiveEnvironment, secretViolations, workloadViolations } from './workload-rules';

export interface RenderContext {
  unit: AppName | 'migrate';
  env: Environment;
}

interface ProbeExpectation {
  port: number;
  /** An HTTP path, or `grpc` for the grpc.health.v1 probe. */
  check: string;
}

interface ServiceExpectation {
  kind: 'Deployment';
  ports: Record<string, number>;
  liveness: ProbeExpectation;
  readiness: ProbeExpectation;
  /** Readiness when the listener speaks TLS (the kubelet's gRPC probe is plaintext only). */
  readinessOverTls?: ProbeExpectation;
  /** Where Prometheus scrapes /metrics. */
  metricsPort: number;
  config: Record<string, string>;
  companions: Array<[kind: string, name: string]>;
  autoscaled: boolean;
}

/** What each long-running app's render must contain (docs/runbooks/deployment.md). */
export const SERVICE_EXPECTATIONS: Record<'user-api' | 'user-grpc' | 'event-relay', ServiceExpectation> = {
  'user-api': {
    kind: 'Deployment',
    ports: { http: 8080, admin: 8081 },
    liveness: { port: 8080, check: '/health' },
    readiness: { port: 8080, check: '/ready?require=database' },
    metricsPort: 8081,
    config: { SERVER_PORT: '8080', ADMIN_PORT: '8081' },
    companions: [
      ['Service', 'user-api'],
      ['Service', 'user-api-admin'],
      ['HorizontalPodAutoscaler', 'user-api'],
      ['PodDisruptionBudget', 'user-api'],
      ['Ingress', 'user-api'],
      ['NetworkPolicy', 'user-api-ingress'],
    ],
    autoscaled: true,
  },
  'user-grpc': {
    kind: 'Deployment',
    ports: { grpc: 9090, metrics: 9464 },
    liveness: { port: 9464, check: '/health' },
    readiness: { port: 9090, check: 'grpc' },
    readinessOverTls: { port: 9464, check: '/ready' },
    metricsPort: 9464,
    config: { GRPC_PORT: '9090', METRICS_PORT: '9464' },
    companions: [
      ['Service', 'user-grpc'],
      ['HorizontalPodAutoscaler', 'user-grpc'],
      ['PodDisruptionBudget', 'user-grpc'],
      ['NetworkPolicy', 'user-grpc-ingress'],
    ],
    autoscaled: true,
  },
  'event-relay': {
    kind: 'Deployment',
    ports: { metrics: 9465 },
    liveness: { port: 9465, check: '/health' },
    readiness: { port: 9465, check: '/ready' },
    metricsPort: 9465,
    config: { METRICS_PORT: '9465' },
    companions: [
      ['PodDisruptionBudget', 'event-relay'],
      ['NetworkPolicy', 'event-relay-ingress'],
    ],
    autoscaled: false,
  },
};

/** Retention per environment: the APP_ENV defaults (docs/configuration.md#app_env), written out (prod: seven years). */
const RETENTION_DAYS: Record<Environment, string> = { dev: '30', staging: '90', prod: '2555' };

function probeMatches(probe: Probe | undefined, expected: ProbeExpectation, containers: Container[]): boolean {
  if (!probe) return false;
  if (expected.check === 'grpc') return probe.grpc?.port === expected.port;
  return probe.httpGet?.path === expected.check && resolvePort(probe.httpGet.port, containers) === expected.port;
}

function namespaceViolations(objects: K8sObject[], env: Environment): string[] {
  const expected = namespaceOf(env);
  const problems: string[] = [];
  const namespace = find(objects, 'Namespace', expected);
  if (!namespace) problems.push(`no Namespace ${expected}`);
  else if (namespace.metadata.labels?.['pod-security.kubernetes.io/enforce'] !== 'restricted') {
    problems.push(`Namespace/${expected}: Pod Security Admission must enforce "restricted"`);
  }
  for (const object of objects) {
    if (object.kind !== 'Namespace' && object.metadata.namespace !== expected) {
      problems.push(`${object.kind}/${object.metadata.name}: namespace ${object.metadata.namespace ?? '(none)'} instead of ${expected}`);
    }
  }
  return problems;
}

function configViolations(pod: PodTemplate, objects: K8sObject[], env: Environment, extra: Record<string, string>): string[] {
  const container = pod.spec.containers?.[0];
  if (!container) return [];
  const { env: values, problems } = effectiveEnvironment(objects, container);
  const expected: Record<string, string> = { APP_ENV: APP_ENV_OF[env], AUDIT_RETENTION_DAYS: RETENTION_DAYS[env], ...extra };
  for (const [name, value] of Object.entries(expected)) {
    if (values[name] !== value) problems.push(`${pod.id}: ${name} is ${values[name] ?? 'unset'}, expected ${value} in ${env}`);
  }
  if (!values.LOG_LEVEL) problems.push(`${pod.id}: LOG_LEVEL is not set explicitly`);
  for (const name of ['DATABASE_URL', 'REDIS_URL']) {
    if (!values[name]?.startsWith('<secret:')) problems.push(`${pod.id}: ${name} must come from a Secret`);
  }
  return problems.map((problem) => (problem.startsWith(pod.id) ? problem : `${pod.id}: ${problem}`));
}

const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$|^[0-9a-f:]+\/\d{1,3}$/i;

/**
 * The client IP of user-api (rate limits, audit rows) is only as good as these two together:
 * TRUST_PROXY names the ingress controller's subnet (a hop count would believe any pod that reaches
 * the port directly), and only the ingress controller may reach the public port 8080.
 */
function publicEdgeViolations(pod: PodTemplate, objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const container = pod.spec.containers?.[0];
  const trustProxy = container ? effectiveEnvironment(objects, container).env.TRUST_PROXY : undefined;
  const entries = (trustProxy ?? '').split(',').map((entry) => entry.trim());
  if (!trustProxy || !entries.every((entry) => CIDR.test(entry))) {
    problems.push(`${pod.id}: TRUST_PROXY is ${trustProxy ?? 'unset'}, expected the ingress controller's CIDR(s)`);
  }
  for (const policy of ofKind(objects, 'NetworkPolicy')) {
    const spec = policy.spec as {
      podSelector?: { matchLabels?: Record<string, string> };
      ingress?: Array<{
        from?: Array<Record<string, { matchLabels?: Record<string, string> }>>;
        ports?: Array<{ port?: number | string }>;
      }>;
    };
    if (!selects(spec.podSelector, pod.labels)) continue;
    for (const rule of spec.ingress ?? []) {
      const opensPublicPort =
        !rule.ports || rule.ports.length === 0 || rule.ports.some((port) => port.port === 8080 || port.port === 'http');
      const onlyIngressController = (rule.from ?? []).every(
        (peer) =>
          peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'ingress-nginx' &&
          peer.podSelector?.matchLabels?.['app.kubernetes.io/name'] === 'ingress-nginx',
      );
      if (opensPublicPort && !onlyIngressController) {
        problems.push(`NetworkPolicy/${policy.metadata.name}: port 8080 of ${pod.id} is reachable by others than the ingress controller`);
      }
    }
  }
  return problems;
}

/**
 * What production refuses at start-up (docs/configuration.md#production-transport) and a render can
 * show: rate limits off, and user-grpc's service tokens without TLS. The database and Redis URLs are
 * Secrets, outside the render. The explicit override lets both through, as it does at start-up.
 */
function productionTransportViolations(pod: PodTemplate, objects: K8sObject[], app: AppName): string[] {
  const container = pod.spec.containers?.[0];
  if (!container) return [];
  const values = effectiveEnvironment(objects, container).env;
  // The booleans the apps accept (docs/configuration.md).
  if (/^(true|1|yes|on)$/i.test(values.ALLOW_INSECURE_PRIVATE_NETWORK?.trim() ?? '')) return [];
  const problems: string[] = [];
  if (/^(false|0|no|off)$/i.test(values.RATE_LIMIT_ENABLED?.trim() ?? ''))
    problems.push(`${pod.id}: RATE_LIMIT_ENABLED=false is refused in prod`);
  if (app === 'user-grpc') {
    if (!values.GRPC_TLS_CERT_FILE || !values.GRPC_TLS_KEY_FILE) {
      problems.push(`${pod.id}: prod needs GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE (service tokens never travel over plaintext h2c)`);
    }
    const certificates = pod.spec.volumes?.find((volume) => volume.secret?.secretName === 'pandora-user-grpc-tls');
    if (!certificates || certificates.secret?.optional !== false) {
      problems.push(`${pod.id}: prod must mount the Secret pandora-user-grpc-tls with optional: false`);
    }
  }
  return problems;
}

/** The apps that hold a PostgreSQL session of their own: the read cache's LISTEN (user-api, user-grpc), the relay's lease and LISTEN, the worker's lock. */
const SESSION_APPS: ReadonlyArray<AppName> = ['user-api', 'user-grpc', 'event-relay', 'audit-cleanup-worker'];
export const DIRECT_DATABASE_SECRET = 'pandora-user-database-direct';

/**
 * DATABASE_DIRECT_URL (PostgreSQL itself, past any PgBouncer) comes from a Secret of its own, never
 * from the pooled one: a session behind a transaction pooler holds no lease and hears no NOTIFY.
 */
function directConnectionViolations(pod: PodTemplate, app: AppName): string[] {
  if (!SESSION_APPS.includes(app)) return [];
  const ref = pod.spec.containers?.[0]?.env?.find((candidate) => candidate.name === 'DATABASE_DIRECT_URL')?.valueFrom?.secretKeyRef;
  return ref?.name === DIRECT_DATABASE_SECRET && ref.key === 'DATABASE_DIRECT_URL'
    ? []
    : [`${pod.id}: DATABASE_DIRECT_URL must come from the Secret ${DIRECT_DATABASE_SECRET} (its session must bypass PgBouncer)`];
}

function serviceViolations(objects: K8sObject[], app: keyof typeof SERVICE_EXPECTATIONS, env: Environment): string[] {
  const expected = SERVICE_EXPECTATIONS[app];
  const problems: string[] = [];
  const workload = find(objects, expected.kind, app);
  if (!workload) return [`no ${expected.kind}/${app}`];
  for (const [kind, name] of expected.companions) if (!find(objects, kind, name)) problems.push(`no ${kind}/${name}`);

  const pod = podTemplates([workload])[0];
  const containers = pod.spec.containers ?? [];
  const container = containers.find((candidate) => candidate.name === app);
  if (!container) return [...problems, `${pod.id}: no container named ${app}`];
  for (const [name, port] of Object.entries(expected.ports)) {
    if (!container.ports?.some((candidate) => candidate.name === name && candidate.containerPort === port)) {
      problems.push(`${pod.id}: no container port ${name}=${port}`);
    }
  }
  if (!probeMatches(container.livenessProbe, expected.liveness, containers)) {
    problems.push(`${pod.id}: livenessProbe must check ${expected.liveness.check} on port ${expected.liveness.port}`);
  }
  const overTls = Boolean(effectiveEnvironment(objects, container).env.GRPC_TLS_CERT_FILE);
  const readiness = (overTls ? expected.readinessOverTls : undefined) ?? expected.readiness;
  if (!probeMatches(container.readinessProbe, readiness, containers)) {
    problems.push(`${pod.id}: readinessProbe must check ${readiness.check} on port ${readiness.port}`);
  }

  // Prometheus finds the pod by its annotations and must be let in on that port.
  const annotations = pod.annotations;
  if (
    annotations['prometheus.io/scrape'] !== 'true' ||
    annotations['prometheus.io/port'] !== String(expected.metricsPort) ||
    annotations['prometheus.io/path'] !== '/metrics'
  ) {
    problems.push(`${pod.id}: prometheus.io annotations must point at /metrics on port ${expected.metricsPort}`);
  }
  const prometheusAllowed = ofKind(objects, 'NetworkPolicy').some((policy) => {
    const spec = policy.spec as {
      podSelector?: { matchLabels?: Record<string, string> };
      ingress?: Array<{ from?: Array<Record<string, { matchLabels?: Record<string, string> }>>; ports?: Array<{ port?: number }> }>;
    };
    return (
      selects(spec.podSelector, pod.labels) &&
      (spec.ingress ?? []).some(
        (rule) =>
          (rule.ports ?? []).some((port) => port.port === expected.metricsPort) &&
          (rule.from ?? []).some((peer) => peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'monitoring'),
      )
    );
  });
  if (!prometheusAllowed)
    problems.push(`${pod.id}: no NetworkPolicy lets Prometheus (monitoring namespace) reach port ${expected.metricsPort}`);

  problems.push(...configViolations(pod, objects, env, expected.config));
  problems.push(...directConnectionViolations(pod, app));
  if (app === 'user-api') problems.push(...publicEdgeViolations(pod, objects));
  if (env === 'prod') problems.push(...productionTransportViolations(pod, objects, app));

  if (expected.autoscaled) {
    const min = field<number>(find(objects, 'HorizontalPodAutoscaler', app) ?? workload, 'spec', 'minReplicas') ?? 0;
    if (env === 'prod' && min < 2) problems.push(`HorizontalPodAutoscaler/${app}: prod needs minReplicas ≥ 2 (got ${min})`);
  } else {
    const replicas = field<number>(workload, 'spec', 'replicas') ?? 1;
    if (env === 'prod' && replicas < 2) problems.push(`${pod.id}: prod needs ≥ 2 replicas (got ${replicas})`);
  }
  return problems;
}

function cleanupViolations(objects: K8sObject[], env: Environment): string[] {
  const cronJob = find(objects, 'CronJob', 'audit-cleanup-worker');
  if (!cronJob) return ['no CronJob/audit-cleanup-worker'];
  const id = 'CronJob/audit-cleanup-worker';
  const problems: string[] = [];
  const spec = cronJob.spec as Record<string, unknown> & { jobTemplate?: { spec?: Record<string, unknown> } };
  if (spec.concurrencyPolicy !== 'Forbid')
    problems.push(`${id}: concurrencyPolicy must be Forbid (got ${spec.concurrencyPolicy ?? 'Allow'})`);
  if (typeof spec.schedule !== 'string' || !/^\d{1,2} \d{1,2} \* \* \*$/.test(spec.schedule))
    problems.push(`${id}: schedule ${spec.schedule} is not once a day`);
  for (const name of ['successfulJobsHistoryLimit', 'failedJobsHistoryLimit', 'startingDeadlineSeconds']) {
    if (typeof spec[name] !== 'number') problems.push(`${id}: ${name} must be set`);
  }
  for (const name of ['activeDeadlineSeconds', 'backoffLimit']) {
    if (typeof spec.jobTemplate?.spec?.[name] !== 'number') problems.push(`${id}: jobTemplate ${name} must be set`);
  }
  if (spec.suspend === true) problems.push(`${id}: suspended`);
  const pod = podTemplates([cronJob])[0];
  problems.push(...configViolations(pod, objects, env, {}));
  problems.push(...directConnectionViolations(pod, 'audit-cleanup-worker'));
  return problems;
}

function migrationViolations(objects: K8sObject[]): string[] {
  const job = find(objects, 'Job', 'user-service-migrate');
  if (!job) return ['no Job/user-service-migrate'];
  const problems: string[] = [];
  const spec = job.spec as Record<string, unknown>;
  // A failed migration needs a human: an automatic retry would run against a half-applied state.
  if (spec.backoffLimit !== 0) problems.push('Job/user-service-migrate: backoffLimit must be 0');
  if (typeof spec.activeDeadlineSeconds !== 'number') problems.push('Job/user-service-migrate: activeDeadlineSeconds must be set');
  const container = podTemplates([job])[0].spec.containers?.[0];
  if (
    container?.env?.find((variable) => variable.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef?.name !== 'pandora-user-database-migrator'
  ) {
    problems.push('Job/user-service-migrate: DATABASE_URL must come from the migrator Secret (pandora-user-database-migrator)');
  }
  return problems;
}

/** Every rule for one rendered overlay; an empty list means the render may be applied. */
export function manifestViolations(objects: K8sObject[], context: RenderContext): string[] {
  const problems = [
    ...secretViolations(objects),
    ...namespaceViolations(objects, context.env),
    ...workloadViolations(objects, { requireReleaseImages: context.env === 'prod' }),
    ...networkPolicyViolations(objects),
    ...referenceViolations(objects),
    ...ingressViolations(objects),
  ];
  if (context.unit !== 'user-api' && ofKind(objects, 'Ingress').length > 0)
    problems.push(`only user-api may have an Ingress (${context.unit} has one)`);
  if (context.unit === 'audit-cleanup-worker') problems.push(...cleanupViolations(objects, context.env));
  else if (context.unit === 'migrate') problems.push(...migrationViolations(objects));
  else problems.push(...serviceViolations(objects, context.unit, context.env));
  return problems;
}
